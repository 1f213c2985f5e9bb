/** Training a model's own weights inside its engine. */
package dev.loupe.api.training;

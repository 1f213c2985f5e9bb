/**
 * The JSON binding of the api's values (tensors, hook points, positions, interventions, splice functions,
 * objectives) as a Jackson module, and the one place Loupe makes a Jackson mapper: every mapper it returns knows
 * that binding, so the api itself stays JDK-only.
 */
module dev.loupe.json {
    requires transitive dev.loupe.api;
    requires transitive com.fasterxml.jackson.databind;

    exports dev.loupe.json;
}

/** Loupe method: observable propagation (Dunefsky &amp; Cohan, ICML 2024). */
module dev.loupe.method.obsprop {
    requires transitive dev.loupe.api;
    requires dev.loupe.data;
    requires dev.loupe.io;
    requires com.fasterxml.jackson.databind;
    requires dev.loupe.json;

    exports dev.loupe.method.obsprop;

    provides dev.loupe.api.spi.Method with dev.loupe.method.obsprop.ObsPropFeaturesMethod,
            dev.loupe.method.obsprop.ObsPropCouplingMethod, dev.loupe.method.obsprop.ObsPropProbesMethod;
}

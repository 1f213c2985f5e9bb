package dev.loupe.api.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The engines, methods, evaluators and intervention kinds that {@link ServiceLoader} finds, by name. Works on the
 * module path (plugins declare {@code provides}) and on the class path ({@code META-INF/services}). Two plugins of
 * one kind with one name are an error that names both; asking for an absent name lists what was found.
 */
public final class Plugins {
    private final Map<String, Engine> engines;
    @SuppressWarnings("rawtypes")
    private final Map<String, Method> methods;
    private final Map<String, Evaluator> evaluators;
    private final Map<String, InterventionKind> interventionKinds;

    @SuppressWarnings("rawtypes")
    private Plugins(Iterable<Engine> engines, Iterable<Method> methods, Iterable<Evaluator> evaluators,
                    Iterable<InterventionKind> interventionKinds) {
        this.engines = index("engine", engines, Engine::name);
        this.methods = index("method", methods, Method::name);
        this.evaluators = index("evaluator", evaluators, Evaluator::name);
        this.interventionKinds = index("intervention kind", interventionKinds, InterventionKind::name);
    }

    /** No plugins at all. */
    public static Plugins none() {
        return new Plugins(List.of(), List.of(), List.of(), List.of());
    }

    /** Plugins visible to Loupe's own module layer and the context class loader. */
    public static Plugins discover() {
        return new Plugins(ServiceLoader.load(Engine.class), ServiceLoader.load(Method.class),
                ServiceLoader.load(Evaluator.class), ServiceLoader.load(InterventionKind.class));
    }

    /** Plugins in {@code layer} and its parents (e.g. a layer built over a plugin directory). */
    public static Plugins discover(ModuleLayer layer) {
        return new Plugins(ServiceLoader.load(layer, Engine.class), ServiceLoader.load(layer, Method.class),
                ServiceLoader.load(layer, Evaluator.class), ServiceLoader.load(layer, InterventionKind.class));
    }

    /** Plugins visible to {@code loader} (class path style, via {@code META-INF/services}). */
    public static Plugins discover(ClassLoader loader) {
        return new Plugins(ServiceLoader.load(Engine.class, loader), ServiceLoader.load(Method.class, loader),
                ServiceLoader.load(Evaluator.class, loader), ServiceLoader.load(InterventionKind.class, loader));
    }

    /**
     * Only the plugins named here (engines, methods, evaluators and intervention kinds alike): how a custom
     * application assembles a subset of what is installed. A name that matches no plugin is an error naming what was
     * found.
     */
    public Plugins retain(java.util.Set<String> names) {
        java.util.Set<String> all = new java.util.TreeSet<>(engines.keySet());
        all.addAll(methods.keySet());
        all.addAll(evaluators.keySet());
        all.addAll(interventionKinds.keySet());
        for (String n : names) {
            if (!all.contains(n)) {
                throw new PluginException("no plugin named '" + n + "'; found " + all);
            }
        }
        return new Plugins(filter(engines, names), filter(methods, names), filter(evaluators, names),
                filter(interventionKinds, names));
    }

    private static <T> List<T> filter(Map<String, T> plugins, java.util.Set<String> names) {
        return plugins.entrySet().stream().filter(e -> names.contains(e.getKey())).map(Map.Entry::getValue).toList();
    }

    private static <T> Map<String, T> index(String kind, Iterable<T> found, Function<T, String> name) {
        Map<String, T> out = new TreeMap<>();
        for (T plugin : found) {
            T previous = out.putIfAbsent(name.apply(plugin), plugin);
            if (previous != null && previous.getClass() != plugin.getClass()) {
                throw new PluginException("two " + kind + " plugins are named '" + name.apply(plugin) + "': "
                        + describe(previous) + " and " + describe(plugin));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static String describe(Object plugin) {
        Class<?> c = plugin.getClass();
        String where = c.getModule().isNamed() ? "module " + c.getModule().getName()
                : String.valueOf(c.getProtectionDomain().getCodeSource() == null ? "class path"
                        : c.getProtectionDomain().getCodeSource().getLocation());
        return c.getName() + " (" + where + ")";
    }

    public Map<String, Engine> engines() {
        return engines;
    }

    @SuppressWarnings("rawtypes")
    public Map<String, Method> methods() {
        return methods;
    }

    public Map<String, Evaluator> evaluators() {
        return evaluators;
    }

    /** Plugins' intervention kinds by the name files give them. */
    public Map<String, InterventionKind> interventionKinds() {
        return interventionKinds;
    }

    /** The engine called {@code name}, or the highest-ranked engine when {@code name} is null. */
    public Engine engine(String name) {
        if (name == null) {
            return engines.values().stream().max(Comparator.comparingInt(Engine::rank))
                    .orElseThrow(() -> new PluginException("no engine plugin found; put an engine jar such as "
                            + "loupe-engine-djl on the module path or class path"));
        }
        return require("engine", engines, name);
    }

    public Method<?> method(String name) {
        return require("method", methods, name);
    }

    /** The method named {@code name}, typed by its config record: how a front-end calls the plugin it fronts. */
    @SuppressWarnings("unchecked")
    public <C> Method<C> method(String name, Class<C> configType) {
        Method<?> m = method(name);
        if (!m.configType().equals(configType)) {
            throw new PluginException("method '" + name + "' takes " + m.configType().getName() + ", not "
                    + configType.getName() + " (another plugin has its name?)");
        }
        return (Method<C>) m;
    }

    public Evaluator evaluator(String name) {
        return require("evaluator", evaluators, name);
    }

    private static <T> T require(String kind, Map<String, T> found, String name) {
        T plugin = found.get(name);
        if (plugin == null) {
            List<String> names = new ArrayList<>(found.keySet());
            throw new PluginException("no " + kind + " named '" + name + "'; found: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)));
        }
        return plugin;
    }
}

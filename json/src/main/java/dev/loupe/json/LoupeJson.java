package dev.loupe.json;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import dev.loupe.api.LoupeException;
import dev.loupe.api.spi.InterventionKind;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place Loupe makes a Jackson mapper: each knows the api's JSON binding ({@link ApiJsonModule}), so a hook
 * point, tensor or intervention reads and writes the same way in every file and every module. An ArchUnit rule
 * refuses a mapper made anywhere else.
 */
public final class LoupeJson {
    private static final ObjectMapper MAPPER = builder().build();
    private static final ObjectMapper PRETTY = builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private LoupeJson() {}

    /** The shared mapper: Jackson's defaults and the api's binding (thread-safe, as every configured mapper). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The shared mapper that indents what it writes. */
    public static ObjectMapper pretty() {
        return PRETTY;
    }

    /** A builder to configure further (strictness, naming), starting from the api's binding. */
    public static JsonMapper.Builder builder() {
        return JsonMapper.builder().addModule(new ApiJsonModule());
    }

    /**
     * {@code base} that also reads and writes the plugins' intervention kinds by their names; a plugin kind named as
     * a built-in one is an error naming both.
     */
    public static ObjectMapper withKinds(ObjectMapper base, Collection<InterventionKind> kinds) {
        if (kinds.isEmpty()) {
            return base;
        }
        Set<String> builtIn = new TreeSet<>();
        for (JsonSubTypes.Type t : ApiMixins.InterventionMixin.class.getAnnotation(JsonSubTypes.class).value()) {
            builtIn.add(t.name());
        }
        ObjectMapper out = base.copy();
        for (InterventionKind k : kinds) {
            if (builtIn.contains(k.name())) {
                throw new LoupeException("intervention kind plugin " + k.getClass().getName() + " is named '"
                        + k.name() + "', a built-in kind's name (" + builtIn + ")");
            }
            out.registerSubtypes(new NamedType(k.type(), k.name()));
        }
        return out;
    }

    /** A mapper over another syntax of Jackson's (YAML, …) with the api's binding. */
    public static ObjectMapper mapper(JsonFactory syntax) {
        return new ObjectMapper(syntax).registerModule(new ApiJsonModule());
    }
}

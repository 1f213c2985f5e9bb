package dev.loupe.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.loupe.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an ONNX graph node by node: each op gets a fresh output name (or the one asked for), constants become
 * initializers, and {@link #model} wraps the graph with its opset and metadata. Opset {@value #OPSET}.
 */
final class GraphBuilder {
    static final int OPSET = 17;
    static final int IR_VERSION = 8;

    /** ONNX element types used here. */
    enum Elem {
        FLOAT(TensorProto.DataType.FLOAT), INT64(TensorProto.DataType.INT64), BOOL(TensorProto.DataType.BOOL);

        final int code;

        Elem(TensorProto.DataType type) {
            this.code = type.getNumber();
        }
    }

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, String> constants = new LinkedHashMap<>();
    private int counter;

    GraphBuilder(String name) {
        graph.setName(name);
    }

    /** Adds {@code op} with the given inputs (empty string: an omitted optional input); returns its output's name. */
    String op(String op, Map<String, Object> attributes, String... inputs) {
        return opNamed(op + "_" + counter++, op, attributes, inputs);
    }

    String op(String op, String... inputs) {
        return op(op, Map.of(), inputs);
    }

    /** Adds {@code op} with {@code outputs} outputs; returns their names in order. */
    String[] ops(String op, int outputs, Map<String, Object> attributes, String... inputs) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName("n" + counter++ + "_" + op)
                .addAllInput(Arrays.asList(inputs));
        String[] names = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            names[i] = op + "_" + counter++;
            node.addOutput(names[i]);
        }
        attributes.forEach((name, value) -> node.addAttribute(attribute(name, value)));
        graph.addNode(node);
        return names;
    }

    /** Like {@link #op} but the output tensor is called {@code output}. */
    String opNamed(String output, String op, Map<String, Object> attributes, String... inputs) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName("n" + counter++ + "_" + op)
                .addAllInput(Arrays.asList(inputs)).addOutput(output);
        attributes.forEach((name, value) -> node.addAttribute(attribute(name, value)));
        graph.addNode(node);
        return output;
    }

    /** The tensor {@code value} renamed {@code name} (how hook points get their names). */
    String identity(String name, String value) {
        return opNamed(name, "Identity", Map.of(), value);
    }

    String initializer(String name, Tensor t) {
        ByteBuffer bytes = ByteBuffer.allocate(t.numel() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.buffer());
        TensorProto.Builder proto = TensorProto.newBuilder().setName(name).setDataType(Elem.FLOAT.code)
                .setRawData(UnsafeByteOperations.unsafeWrap(bytes.array()));
        for (int d : t.shape()) {
            proto.addDims(d);
        }
        graph.addInitializer(proto);
        return name;
    }

    /**
     * A float32 initializer whose data lies in {@code file} (relative to the model file's folder) at
     * {@code offset}: ONNX's external data, read by ONNX Runtime itself when it loads the model.
     */
    void externalInitializer(String name, int[] shape, String file, long offset) {
        long length = (long) Float.BYTES;
        TensorProto.Builder proto = TensorProto.newBuilder().setName(name).setDataType(Elem.FLOAT.code)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL);
        for (int d : shape) {
            proto.addDims(d);
            length *= d;
        }
        proto.addExternalData(entry("location", file)).addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(length)));
        graph.addInitializer(proto);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** An int64 constant (shapes, axes), shared between uses. */
    String longs(long... values) {
        String key = "i64" + Arrays.toString(values);
        return constants.computeIfAbsent(key, k -> {
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asLongBuffer().put(values);
            String name = "const_" + constants.size();
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(Elem.INT64.code)
                    .addDims(values.length).setRawData(ByteString.copyFrom(bytes.array())));
            return name;
        });
    }

    /** A float32 scalar constant, shared between uses. */
    String scalar(float value) {
        String key = "f32:" + Float.floatToIntBits(value);
        return constants.computeIfAbsent(key, k -> {
            ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
            String name = "const_" + constants.size();
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(Elem.FLOAT.code)
                    .setRawData(ByteString.copyFrom(bytes.array())));
            return name;
        });
    }

    /** Declares a graph input; a dimension is a {@code String} (symbolic) or an {@code Integer}. */
    String input(String name, Elem elem, Object... dims) {
        graph.addInput(valueInfo(name, elem, dims));
        return name;
    }

    /** Declares a graph output (of unspecified shape: ONNX Runtime infers it). */
    void output(String name, Elem elem, int rank) {
        Object[] dims = new Object[rank];
        Arrays.setAll(dims, i -> name + "_d" + i);
        graph.addOutput(valueInfo(name, elem, dims));
    }

    ModelProto model(Map<String, String> metadata) {
        return header(metadata).setGraph(graph).build();
    }

    private ModelProto.Builder header(Map<String, String> metadata) {
        ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("loupe")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        metadata.forEach((k, v) -> model.addMetadataProps(entry(k, v)));
        return model;
    }

    private static ValueInfoProto valueInfo(String name, Elem elem, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem.code).setShape(shape))).build();
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (value) {
            case Integer i -> a.setType(AttributeProto.AttributeType.INT).setI(i);
            case Long l -> a.setType(AttributeProto.AttributeType.INT).setI(l);
            case Float f -> a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
            case long[] ints -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long v : ints) {
                    a.addInts(v);
                }
            }
            default -> throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
        }
        return a.build();
    }
}

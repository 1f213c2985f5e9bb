package dev.loupe.engine.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The input tensors of one ONNX Runtime call, closed together. */
final class Feeds implements AutoCloseable {
    private final OrtEnvironment env;
    private final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();

    Feeds(OrtEnvironment env) {
        this.env = env;
    }

    Map<String, OnnxTensor> asMap() {
        return tensors;
    }

    void put(String name, Tensor t) {
        put(name, t.buffer(), Arrays.stream(t.shape()).asLongStream().toArray());
    }

    void put(String name, FloatBuffer data, long... shape) {
        add(name, () -> OnnxTensor.createTensor(env, data, shape));
    }

    void scalar(String name, double value) {
        add(name, () -> OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {(float) value}), new long[0]));
    }

    void longs(String name, long[] data, long... shape) {
        add(name, () -> OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
    }

    void booleans(String name, boolean[] data, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(data.length);
        for (boolean b : data) {
            bytes.put((byte) (b ? 1 : 0));
        }
        bytes.rewind();
        add(name, () -> OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.BOOL));
    }

    private interface Create {
        OnnxTensor create() throws OrtException;
    }

    private void add(String name, Create create) {
        try {
            tensors.put(name, create.create());
        } catch (OrtException e) {
            throw new LoupeException("ONNX Runtime refused input '" + name + "': " + e.getMessage());
        }
    }

    @Override
    public void close() {
        tensors.values().forEach(OnnxTensor::close);
    }
}

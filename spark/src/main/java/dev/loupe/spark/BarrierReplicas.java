package dev.loupe.spark;

import dev.loupe.api.Tensor;
import dev.loupe.api.training.SparseMlpTrainer;
import dev.loupe.method.transcoder.Replicas;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * The replicas of a Spark barrier stage: rank = partition, and each step's parts exchanged with
 * {@link BarrierTaskContext#allGather} (every task's message, in partition order). The parts travel as RPC messages
 * ({@code spark.rpc.message.maxSize}, 128 MiB by default): fine for dictionaries of a few million parameters; a
 * GPT-2-sized dictionary (tens of millions) needs a real all-reduce, which Loupe does not have.
 */
final class BarrierReplicas implements Replicas {
    private final BarrierTaskContext task;
    private final int count;

    BarrierReplicas(BarrierTaskContext task, int count) {
        this.task = task;
        this.count = count;
    }

    @Override
    public int rank() {
        return task.partitionId();
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public List<SparseMlpTrainer.Part> gather(SparseMlpTrainer.Part mine) {
        List<SparseMlpTrainer.Part> all = new ArrayList<>();
        for (String message : task.allGather(encode(mine))) {
            all.add(decode(message));
        }
        return all;
    }

    static String encode(SparseMlpTrainer.Part p) {
        int size = 4 + 4 + p.fired().length * 4 + 8 + 5 * 8 + 4;
        for (Tensor g : p.gradients()) {
            size += 4 + 4 * g.shape().length + 4 * g.numel();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(p.gradients().size());
        for (Tensor g : p.gradients()) {
            b.putInt(g.shape().length);
            for (int d : g.shape()) {
                b.putInt(d);
            }
            b.asFloatBuffer().put(g.buffer());
            b.position(b.position() + 4 * g.numel());
        }
        b.putInt(p.fired().length);
        for (float v : p.fired()) {
            b.putFloat(v);
        }
        b.putLong(p.rows());
        SparseMlpTrainer.Step s = p.losses();
        b.putDouble(s.mse()).putDouble(s.l1()).putDouble(s.ghost()).putDouble(s.loss()).putDouble(s.l0());
        b.putInt(s.dead());
        return Base64.getEncoder().encodeToString(b.array());
    }

    static SparseMlpTrainer.Part decode(String message) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(message));
        List<Tensor> gradients = new ArrayList<>();
        for (int i = b.getInt(); i > 0; i--) {
            int[] shape = new int[b.getInt()];
            int n = 1;
            for (int k = 0; k < shape.length; k++) {
                shape[k] = b.getInt();
                n *= shape[k];
            }
            float[] v = new float[n];
            b.asFloatBuffer().get(v);
            b.position(b.position() + 4 * n);
            gradients.add(Tensor.adopt(v, shape));
        }
        float[] fired = new float[b.getInt()];
        b.asFloatBuffer().get(fired);
        b.position(b.position() + 4 * fired.length);
        long rows = b.getLong();
        SparseMlpTrainer.Step s = new SparseMlpTrainer.Step(b.getDouble(), b.getDouble(), b.getDouble(),
                b.getDouble(), b.getDouble(), b.getInt());
        return new SparseMlpTrainer.Part(gradients, fired, rows, s);
    }
}

package dev.loupe.hf.hub;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Streams a response body into a file as it arrives, so that {@link #await} can give up on a connection that
 * stops sending (no byte for the stall timeout) without a thread stuck in a read; whatever arrived stays in the
 * file for a Range request to resume from.
 */
final class FileBodySink implements Flow.Subscriber<List<ByteBuffer>> {
    private final FileChannel out;
    private final LongConsumer onProgress;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long lastByteNanos = System.nanoTime();
    private long written;

    FileBodySink(Path file, boolean append, long already, LongConsumer onProgress) throws IOException {
        this.out = append ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        this.written = append ? already : 0;
        this.onProgress = onProgress;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        try {
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    written += out.write(b);
                }
            }
            lastByteNanos = System.nanoTime();
            onProgress.accept(written);
            subscription.request(1);
        } catch (IOException e) {
            subscription.cancel();
            finish(e);
        }
    }

    @Override
    public void onError(Throwable t) {
        finish(t);
    }

    @Override
    public void onComplete() {
        finish(null);
    }

    /** Waits for the body's end; throws when it fails or sends nothing for {@code stall}. Closes the file. */
    long await(Duration stall) throws IOException, InterruptedException {
        try {
            while (true) {
                try {
                    return done.get(200, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (System.nanoTime() - lastByteNanos > stall.toNanos()) {
                        Flow.Subscription s = subscription;
                        if (s != null) {
                            s.cancel();
                        }
                        throw new IOException("no data for " + stall.toSeconds() + " s after " + written + " bytes");
                    }
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            synchronized (this) {
                out.close();
            }
        }
    }

    private synchronized void finish(Throwable error) {
        if (error == null) {
            done.complete(written);
        } else {
            done.completeExceptionally(error);
        }
    }
}

package dev.loupe.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context a Loupe job runs in. {@code local[N]} runs in-process with N task threads; Loupe turns it into
 * {@code local[N,F]} so that a failed task is retried (plain {@code local[N]} never retries); {@code spark://…} joins
 * a standalone cluster; with no master, what {@code spark-submit} set. In-process and on a cluster at 127.0.0.1 the
 * driver binds to the loopback address only. The web UI is off. Executors run with DJL offline (the system properties
 * and environment variables every Loupe JVM sets), added to any {@code spark.executor.extraJavaOptions} given.
 */
public final class LoupeSpark {
    private LoupeSpark() {}

    /** A context on {@code master} (null: {@code spark-submit}'s, else {@code local[*]}), tasks tried {@code attempts} times. */
    public static JavaSparkContext start(String master, int attempts) {
        SparkConf conf = new SparkConf().setAppName("loupe").set("spark.ui.enabled", "false")
                .set("spark.task.maxFailures", String.valueOf(attempts));
        String m = master != null ? master : conf.get("spark.master", "local[*]");
        if (m.matches("local\\[(\\d+|\\*)]")) {
            m = m.substring(0, m.length() - 1) + "," + attempts + "]";
        } else if (m.equals("local")) {
            m = "local[1," + attempts + "]";
        }
        conf.setMaster(m);
        String executorOptions = conf.get("spark.executor.extraJavaOptions", "") + " -Dai.djl.offline=true"
                + " -DOPT_OUT_TRACKING=true" + (Runtime.version().feature() >= 24
                ? " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" : "");
        conf.set("spark.executor.extraJavaOptions", executorOptions.strip())
                .set("spark.executorEnv.DJL_OFFLINE", "true").set("spark.executorEnv.OPT_OUT_TRACKING", "true");
        if (m.startsWith("local") || m.startsWith("spark://127.0.0.1") || m.startsWith("spark://localhost")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        return new JavaSparkContext(conf);
    }
}

package dev.loupe.hf.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.api.spi.Progress;
import dev.loupe.hf.HfCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Models by hub name: the standard cache layout read as Python left it, and downloads into it from a local hub. */
class HubCacheTest {
    @TempDir
    Path tmp;

    private static Path golden(String name) {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("testdata/golden").resolve(name))) {
                return dir.resolve("testdata/golden").resolve(name);
            }
        }
        throw new IllegalStateException("testdata/golden/" + name + " not found");
    }

    /** A snapshot laid out as huggingface_hub leaves it: blobs, relative links, refs. */
    private Path pythonCache(Path root, String repo, String commit, String... refs) throws IOException {
        Path dir = root.resolve("models--" + repo.replace("/", "--"));
        Path snap = Files.createDirectories(dir.resolve("snapshots").resolve(commit));
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            byte[] data = Files.readAllBytes(golden("gpt2-tiny").resolve(f));
            Path blob = dir.resolve("blobs").resolve(FakeHub.etag(f, data));
            Files.createDirectories(blob.getParent());
            Files.write(blob, data);
            Files.createSymbolicLink(snap.resolve(f), snap.relativize(blob));
        }
        for (String ref : refs) {
            Files.createDirectories(dir.resolve("refs"));
            Files.writeString(dir.resolve("refs").resolve(ref), commit);
        }
        return snap;
    }

    @Test
    void namesParseWithAndWithoutARevision() {
        assertEquals(new HubModel("google/gemma-2-2b", "main"), HubModel.parse("google/gemma-2-2b").orElseThrow());
        assertEquals(new HubModel("Qwen/Qwen3-0.6B", "v1.0"), HubModel.parse("Qwen/Qwen3-0.6B@v1.0").orElseThrow());
        assertTrue(HubModel.parse("./models/gpt2").isEmpty());
        assertTrue(HubModel.parse("a/../b").isEmpty());
        assertTrue(HubModel.parse("gpt2").isEmpty());
    }

    @Test
    void refsMainARevisionAndACommitResolveInHfHubCache() throws IOException {
        Path root = tmp.resolve("hub");
        Path snap = pythonCache(root, "acme/tiny", FakeHub.COMMIT, "main", "v2");
        HubCache cache = new HubCache(Map.of("HF_HUB_CACHE", root.toString(), "HOME", tmp.toString()));
        assertEquals(snap, cache.find(HubModel.parse("acme/tiny").orElseThrow()).orElseThrow());
        assertEquals(snap, cache.find(HubModel.parse("acme/tiny@v2").orElseThrow()).orElseThrow());
        assertEquals(snap, cache.find(HubModel.parse("acme/tiny@" + FakeHub.COMMIT).orElseThrow()).orElseThrow());
        assertTrue(cache.find(HubModel.parse("acme/tiny@v3").orElseThrow()).isEmpty());
        try (HfCheckpoint ckpt = HfCheckpoint.open(snap)) {
            assertEquals("gpt2", ckpt.spec().architecture());
        }
    }

    @Test
    void hfHomeAndTheDefaultCacheAreSearchedInOrder() throws IOException {
        Path home = tmp.resolve("home");
        Path snap = pythonCache(home.resolve(".cache/huggingface/hub"), "acme/tiny", FakeHub.COMMIT, "main");
        HubCache cache = new HubCache(Map.of("HF_HOME", tmp.resolve("hf").toString(), "HOME", home.toString()));
        assertEquals(java.util.List.of(tmp.resolve("hf/hub"), home.resolve(".cache/huggingface/hub")), cache.roots());
        assertEquals(snap, cache.find(HubModel.parse("acme/tiny").orElseThrow()).orElseThrow());
    }

    @Test
    void aMissingSnapshotOfflineIsOneLineListingWhereItLooked() {
        HubCache cache = new HubCache(Map.of("HF_HUB_CACHE", tmp.resolve("a").toString(),
                "HF_HOME", tmp.resolve("b").toString(), "HOME", tmp.toString(), "HF_HUB_OFFLINE", "1"));
        LoupeException e = assertThrows(LoupeException.class,
                () -> cache.resolve(HubModel.parse("acme/absent").orElseThrow(), Progress.NONE));
        assertEquals(1, e.getMessage().lines().count());
        for (String where : new String[] {"a/models--acme--absent", "b/hub/models--acme--absent",
                ".cache/huggingface/hub/models--acme--absent", "HF_HUB_OFFLINE"}) {
            assertTrue(e.getMessage().contains(where), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"drops", "stalls"})
    void aDownloadResumesAfterTheServerDropsOrStallsTheConnectionAndLandsInTheCacheLayout(String failure)
            throws IOException {
        try (FakeHub hub = new FakeHub("acme/tiny", golden("gpt2-tiny"), "config.json", "model.safetensors")) {
            if (failure.equals("drops")) {
                hub.dropOnce = "model.safetensors";
            } else {
                hub.stallOnce = "model.safetensors";
            }
            Path root = tmp.resolve("hub");
            HubCache cache = new HubCache(Map.of("HF_HUB_CACHE", root.toString(), "HOME", tmp.toString(),
                    "HF_ENDPOINT", hub.endpoint(), "HF_TOKEN", "secret", "HF_HUB_DOWNLOAD_TIMEOUT", "1"));
            Path snap = cache.resolve(HubModel.parse("acme/tiny").orElseThrow(), Progress.NONE);
            Path repo = root.resolve("models--acme--tiny");
            assertEquals(repo.resolve("snapshots").resolve(FakeHub.COMMIT), snap);
            assertEquals(FakeHub.COMMIT, Files.readString(repo.resolve("refs/main")));
            byte[] weights = Files.readAllBytes(golden("gpt2-tiny").resolve("model.safetensors"));
            assertArrayEquals(weights, Files.readAllBytes(snap.resolve("model.safetensors")));
            assertTrue(Files.isSymbolicLink(snap.resolve("model.safetensors")));
            assertTrue(Files.isRegularFile(repo.resolve("blobs").resolve(FakeHub.etag("model.safetensors", weights))));
            assertTrue(hub.requests.stream().anyMatch(r -> r.startsWith("GET") && r.contains("model.safetensors")
                    && r.contains("bytes=")), "resumed with a Range request: " + hub.requests);
            try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
                assertFalse(blobs.anyMatch(p -> p.toString().endsWith(".incomplete")));
            }
            try (HfCheckpoint ckpt = HfCheckpoint.open(snap)) {
                assertEquals(2, ckpt.spec().nLayers());
            }
            int before = hub.requests.size();
            assertEquals(snap, cache.resolve(HubModel.parse("acme/tiny").orElseThrow(), Progress.NONE));
            assertEquals(before, hub.requests.size(), "a cached model asks the hub nothing");
        }
    }

    @Test
    void aCorruptDownloadIsRefusedAndLeavesNothingAtTheTarget() throws IOException {
        try (FakeHub hub = new FakeHub("acme/tiny", golden("gpt2-tiny"), "config.json", "model.safetensors")) {
            hub.corrupt = "model.safetensors";
            Path root = tmp.resolve("hub");
            HubCache cache = new HubCache(Map.of("HF_HUB_CACHE", root.toString(), "HOME", tmp.toString(),
                    "HF_ENDPOINT", hub.endpoint()));
            LoupeException e = assertThrows(LoupeException.class,
                    () -> cache.resolve(HubModel.parse("acme/tiny").orElseThrow(), Progress.NONE));
            assertTrue(e.getMessage().contains("does not match its etag"), e.getMessage());
            Path repo = root.resolve("models--acme--tiny");
            assertFalse(Files.exists(repo.resolve("snapshots").resolve(FakeHub.COMMIT).resolve("model.safetensors")));
            assertFalse(Files.exists(repo.resolve("refs/main")));
            try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
                assertEquals(1, blobs.count(), "only config.json's blob");
            }
        }
    }

    @Test
    void aMissingRepositoryIsOneLineNamingTheUrl() throws IOException {
        try (FakeHub hub = new FakeHub("acme/tiny", golden("gpt2-tiny"), "config.json")) {
            HubCache cache = new HubCache(Map.of("HF_HUB_CACHE", tmp.toString(), "HF_ENDPOINT", hub.endpoint()));
            LoupeException e = assertThrows(LoupeException.class,
                    () -> cache.resolve(HubModel.parse("acme/other").orElseThrow(), Progress.NONE));
            assertTrue(e.getMessage().contains("/acme/other/resolve/main/config.json") && e.getMessage().contains("404"),
                    e.getMessage());
        }
    }
}

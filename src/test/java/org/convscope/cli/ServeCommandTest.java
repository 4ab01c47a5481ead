package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s one-line errors, before any server runs (the server itself is tested in org.convscope.web). */
class ServeCommandTest {
  @TempDir Path dir;

  private void expectError(String message, String... args) {
    CommandsTest.Run r = CommandsTest.run(args);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void badArgumentsEndInOneLineAndExitCode2() throws Exception {
    String cache = dir.resolve("cache").toString();
    expectError("missing.onnx: no such file", "serve", dir.resolve("missing.onnx").toString(), "--cache", cache);
    expectError("--port must be between 0 and 65535, got 70000", "serve", "demo", "--port", "70000", "--cache", cache);
    expectError("--upload-limit must be at least 1 MB, got 0", "serve", "demo", "--upload-limit", "0", "--cache", cache);
    expectError("no-such-folder", "serve", "demo", "--data", dir.resolve("no-such-folder").toString(), "--cache", cache);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      expectError("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "serve", "demo", "--port", String.valueOf(taken.getLocalPort()),
          "--cache", cache);
    }
  }
}

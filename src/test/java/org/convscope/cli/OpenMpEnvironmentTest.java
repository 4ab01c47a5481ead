package org.convscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** bin/openmp-env, which the launcher sources: how oneDNN's OpenMP threads wait between primitives. */
class OpenMpEnvironmentTest {
  private static final Path SCRIPT = Path.of("bin/openmp-env").toAbsolutePath();

  /** The three variables after sourcing the script under {@code set -euo pipefail}, as the launcher does. */
  private static String settingsWith(Map<String, String> environment) throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder("bash", "-c", "set -euo pipefail; source '" + SCRIPT + "'; "
        + "echo \"${OMP_NUM_THREADS:-}|${OMP_WAIT_POLICY:-}|${GOMP_SPINCOUNT:-}\"");
    b.environment().remove("OMP_NUM_THREADS");
    b.environment().remove("OMP_WAIT_POLICY");
    b.environment().remove("GOMP_SPINCOUNT");
    b.environment().putAll(environment);
    b.redirectErrorStream(true);
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void theCallersSettingsWin() throws Exception {
    assertTrue(Files.isRegularFile(SCRIPT));
    assertEquals("3|ACTIVE|", settingsWith(Map.of("OMP_NUM_THREADS", "3", "OMP_WAIT_POLICY", "ACTIVE")));
    assertEquals("3|PASSIVE|", settingsWith(Map.of("OMP_NUM_THREADS", "3", "OMP_WAIT_POLICY", "PASSIVE")));
    assertEquals("1||70", settingsWith(Map.of("OMP_NUM_THREADS", "1", "GOMP_SPINCOUNT", "70")));
  }

  /** What the script counts as cores: {@code nproc}, which a container's CPU quota does not change. */
  private static int nproc() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("nproc").start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.waitFor());
    return Integer.parseInt(out);
  }

  @Test
  void oneThreadPerCoreThatSpinsBrieflyOrSleeps() throws Exception {
    String cores = String.valueOf(nproc());
    String chosen = settingsWith(Map.of());
    // Which of the two depends on what else runs on the machine at the moment; never both, never neither.
    assertTrue(chosen.equals(cores + "||3000") || chosen.equals(cores + "|PASSIVE|"), chosen);
  }

  @Test
  void sleepsAtOnceWhenEveryCoreIsBusy() throws Exception {
    int cores = nproc();
    // Under a CPU quota smaller than the machine, busy loops cannot fill the cores /proc/stat counts.
    Assumptions.assumeTrue(cores == Runtime.getRuntime().availableProcessors(),
        "nproc and the JVM see different numbers of cores (a CPU quota?)");
    List<Process> hogs = new ArrayList<>();
    try {
      for (int i = 0; i < cores; i++) {
        hogs.add(new ProcessBuilder("bash", "-c", "while :; do :; done").start());
      }
      Thread.sleep(300);
      assertEquals(hogs.size() + "|PASSIVE|", settingsWith(Map.of()));
    } finally {
      for (Process h : hogs) h.destroyForcibly();
      for (Process h : hogs) h.waitFor();
    }
  }
}

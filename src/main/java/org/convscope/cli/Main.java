package org.convscope.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code convscope} command. Subcommands are thin adapters over the library; every failure the user
 * can cause ends in one line on stderr and exit code 2 (a stack trace only with {@code --verbose}).
 */
@Command(name = "convscope", mixinStandardHelpOptions = true, version = "ConvScope 0.1",
    description = "Look inside convolutional neural networks exported to ONNX.",
    subcommands = {
        DemoCommand.class,
        ReportCommand.class,
        InspectCommand.class,
        PredictCommand.class,
        TensorCommand.class,
        BenchCommand.class,
        FiltersCommand.class,
        ActivationsCommand.class,
        MaskCommand.class,
        PatchesCommand.class,
        VisualizeCommand.class,
        DreamCommand.class,
        ExplainCommand.class,
        TrainCommand.class,
        EvaluateCommand.class,
        EmbedCommand.class,
        NeighborsCommand.class,
        TsneCommand.class,
        OverlapCommand.class,
        ServeCommand.class,
    })
public final class Main implements Runnable {
  /** Exit code for bad input: a file, argument or model the user gave. */
  public static final int BAD_INPUT = 2;

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces on errors.")
  boolean verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code; used by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    CommandLine cli = new CommandLine(main);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
      err.println("convscope: error: " + Errors.message(e));
      if (verbose) e.printStackTrace(err);
      err.flush();
      return Errors.isUserError(e) ? BAD_INPUT : 1;
    });
    cli.setParameterExceptionHandler((e, args2) -> {
      err.println("convscope: error: " + e.getMessage());
      err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      err.flush();
      return BAD_INPUT;
    });
    return cli.execute(args);
  }
}

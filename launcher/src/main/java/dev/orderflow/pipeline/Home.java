package dev.orderflow.pipeline;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The repository checkout the launcher runs from, and where the modules' builds put what the launcher starts.
 *
 * @param root          the repository root: the system property {@code orderflow.home} (set by the
 *                      {@code ./pipeline} script), else the folder above this module
 * @param launcherBuild this module's {@code target} folder, where its build copied the Lambda runtime client
 */
public record Home(Path root, Path launcherBuild) {
    /** The handler AWS Lambda runs for a Quarkus function (the one in the generated SAM templates). */
    public static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    public Home {
        root = root.toAbsolutePath().normalize();
        launcherBuild = launcherBuild.toAbsolutePath().normalize();
    }

    /** Found from where this class was loaded: {@code <module>/target/classes} or {@code <module>/target/*.jar}. */
    public static Home locate() {
        Path target;
        try {
            target = Paths.get(Home.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new LaunchException("cannot tell where the launcher was loaded from: " + e);
        }
        String property = System.getProperty("orderflow.home");
        Path root = property != null && !property.isBlank() ? Paths.get(property) : target.getParent().getParent();
        return new Home(root, target);
    }

    /** The SAM template: the roles whose policies the local IAM fronts enforce. */
    public Path template() {
        Path template = root.resolve("template.yaml");
        if (!Files.isRegularFile(template)) {
            throw new LaunchException(template + " is missing: the launcher runs from a checkout of the repository");
        }
        return template;
    }

    /** {@code ./data}: what {@code run} keeps between runs. */
    public Path dataDir() {
        return root.resolve("data");
    }

    /** The packaged capture service (Quarkus fast-jar). */
    public Path captureJar() {
        return require(root.resolve("capture-service/target/quarkus-app/quarkus-run.jar"), "capture-service");
    }

    /** The packaged query function, exactly as it is deployed to AWS Lambda. */
    public Path functionZip() {
        return require(root.resolve("query-lambda/target/function.zip"), "query-lambda");
    }

    /** The packaged archive function, exactly as it is deployed to AWS Lambda. */
    public Path archiveFunctionZip() {
        return require(root.resolve("archive/target/function.zip"), "archive");
    }

    /** AWS's Lambda runtime interface client and its two libraries, copied there by this module's build. */
    public Path lambdaRuntimeDir() {
        Path dir = launcherBuild.resolve("lambda-runtime");
        if (!Files.isDirectory(dir)) {
            throw missing(dir, "pipeline");
        }
        return dir;
    }

    private Path require(Path artifact, String module) {
        if (!Files.isRegularFile(artifact)) {
            throw missing(artifact, module);
        }
        return artifact;
    }

    private LaunchException missing(Path artifact, String module) {
        return new LaunchException(artifact + " is missing: build it with ./mvnw -q -DskipTests package -pl :"
                + module + " -am (the ./pipeline script does this by itself)");
    }
}

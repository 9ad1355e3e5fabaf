package dev.orderflow.pipeline.deploy;

import static dev.orderflow.dynamodblocal.iam.CfnTemplate.list;
import static dev.orderflow.dynamodblocal.iam.CfnTemplate.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import dev.orderflow.dynamodblocal.iam.CfnTemplate;
import dev.orderflow.pipeline.lambda.LocalLambda;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;

/**
 * What cfn-lint cannot know about template.yaml: that it agrees with the code and the build (table keys, the
 * function archive and its handler, the table name's way into the config) and that it is closed by default
 * (no wildcard grants on the table, signed requests only unless the user asks otherwise).
 */
@org.junit.jupiter.api.Timeout(600)
class TemplateTest {
    private static final String FUNCTION = "AWS::Serverless::Function";
    /** The query API's function (the archiver's is held by ArchiveTemplateTest). */
    private static final String QUERY_FUNCTION = "QueryFunction";
    /** The Quarkus extensions whose build writes target/function.zip. */
    private static final Set<String> LAMBDA_EXTENSIONS =
            Set.of("quarkus-amazon-lambda", "quarkus-amazon-lambda-http", "quarkus-amazon-lambda-rest");
    /** Actions AWS authorises only on Resource "*" (no resource-level permissions exist for them). */
    private static final Set<String> ACTIONS_WITHOUT_RESOURCE_LEVEL = Set.of("ecr:GetAuthorizationToken");
    /** Managed policies the template may attach; none of them touches DynamoDB. */
    private static final Set<String> ALLOWED_MANAGED_POLICIES = Set.of("AmazonSSMManagedInstanceCore");
    /** SAM policy templates the template may use; each is scoped to a table by its TableName. */
    private static final Set<String> ALLOWED_POLICY_TEMPLATES = Set.of("DynamoDBReadPolicy");

    private final CfnTemplate template = CfnTemplate.loadRepositoryTemplate();
    private final Path root = CfnTemplate.repositoryRoot();

    @Test
    void shouldKeyTheTableExactlyAsTableLayoutCreatesIt() {
        CreateTableRequest expected = TableLayout.createTableRequest("any");
        Map<String, Object> table = template.resourcesOfType("AWS::DynamoDB::Table").values().iterator().next();

        assertEquals(expected.keySchema().stream()
                        .map(k -> k.attributeName() + " " + k.keyTypeAsString()).toList(),
                list(table.get("KeySchema")).stream()
                        .map(k -> map(k).get("AttributeName") + " " + map(k).get("KeyType")).toList(),
                "KeySchema");
        assertEquals(expected.attributeDefinitions().stream()
                        .map(a -> a.attributeName() + " " + a.attributeTypeAsString()).collect(Collectors.toSet()),
                list(table.get("AttributeDefinitions")).stream()
                        .map(a -> map(a).get("AttributeName") + " " + map(a).get("AttributeType"))
                        .collect(Collectors.toSet()),
                "AttributeDefinitions");
        assertEquals(expected.billingModeAsString(), table.get("BillingMode"), "BillingMode");
        assertEquals(TableLayout.PK, expected.keySchema().get(0).attributeName(), "TableLayout's own hash key");
    }

    @Test
    void shouldPassTheTableNameToEveryFunctionThroughOrderflowTable() {
        String table = template.onlyResourceOfType("AWS::DynamoDB::Table");
        Map<String, Map<String, Object>> functions = template.resourcesOfType(FUNCTION);
        assertFalse(functions.isEmpty(), "no function in the template");
        functions.forEach((id, function) -> {
            Map<String, Object> variables = map(map(function.get("Environment")).get("Variables"));
            assertEquals(Map.of("Ref", table), variables.get("ORDERFLOW_TABLE"), id + " ORDERFLOW_TABLE");
        });
    }

    @Test
    void shouldRunTheFunctionWithTheJvmOptionsThatThePipelineRunsItWith() {
        String id = QUERY_FUNCTION;
        Map<String, Object> variables = map(map(template.resourcesOfType(FUNCTION).get(id).get("Environment"))
                .get("Variables"));
        assertEquals(LocalLambda.JAVA_TOOL_OPTIONS, template.evaluate(variables.get("JAVA_TOOL_OPTIONS"),
                template.parameterValues(Map.of("QueryBuild", "jvm"))), id + " JAVA_TOOL_OPTIONS");
        // the archiver too: it works for seconds to minutes a pass, where C1-only code is a third slower
        Map<String, Object> archive = map(map(template.resourcesOfType(FUNCTION).get("ArchiveFunction")
                .get("Environment")).get("Variables"));
        assertEquals(LocalLambda.JAVA_TOOL_OPTIONS, archive.get("JAVA_TOOL_OPTIONS"),
                "ArchiveFunction JAVA_TOOL_OPTIONS");
        assertEquals(LocalLambda.ARCHIVE_MEMORY_MB, ((Number) template.resourcesOfType(FUNCTION).get("ArchiveFunction")
                .get("MemorySize")).intValue(), "ArchiveFunction MemorySize (the bench's cold start runs with it)");
        assertEquals(Map.of("Ref", "QueryMemoryMiB"), template.resourcesOfType(FUNCTION).get(id).get("MemorySize"),
                id + " MemorySize");
        assertEquals(String.valueOf(LocalLambda.MEMORY_MB), String.valueOf(template.parameterValues(Map.of())
                .get("QueryMemoryMiB")), "QueryMemoryMiB's default (./pipeline api runs the function with it)");
    }

    @Test
    void shouldPointEveryCodeUriAtTheArchiveItsLambdaModuleBuilds() {
        Set<String> modules = new HashSet<>(childTexts(parse(root.resolve("pom.xml")), "module"));
        template.resourcesOfType(FUNCTION).forEach((id, function) -> {
            Path codeUri = Path.of(String.valueOf(function.get("CodeUri")));
            assertFalse(codeUri.isAbsolute(), id + " CodeUri must be relative to the template");
            assertEquals(3, codeUri.getNameCount(), id + " CodeUri must be <module>/target/function.zip");
            assertEquals("target", codeUri.getName(1).toString(), id + " CodeUri");
            assertEquals("function.zip", codeUri.getFileName().toString(), id + " CodeUri");
            String module = codeUri.getName(0).toString();
            assertTrue(modules.contains(module), id + " CodeUri names " + module + ", not a module of " + modules);

            Document pom = parse(root.resolve(module).resolve("pom.xml"));
            if (!id.equals(QUERY_FUNCTION)) {
                // a plain-Java function: its module zips classes and lib/ (ArchiveTemplateTest loads its handler)
                assertTrue(childTexts(pom, "artifactId").contains("maven-assembly-plugin")
                        && childTexts(pom, "finalName").contains("function"), module + " does not write " + codeUri);
                return;
            }
            assertTrue(childTexts(pom, "artifactId").stream().anyMatch(LAMBDA_EXTENSIONS::contains),
                    module + " declares none of " + LAMBDA_EXTENSIONS + ", so nothing writes " + codeUri);
            assertTrue(childTexts(pom, "artifactId").contains("quarkus-maven-plugin"),
                    module + " does not run the Quarkus build that writes " + codeUri);
        });
    }

    @Test
    void shouldNameARuntimeAndHandlerThatTheBuiltArchiveProvides(@TempDir Path unpacked) throws Exception {
        String id = QUERY_FUNCTION;
        Map<String, Object> function = template.resourcesOfType(FUNCTION).get(id);
        Path zip = root.resolve(String.valueOf(function.get("CodeUri")));
        assumeTrue(Files.isRegularFile(zip), zip + " is not built yet: ./mvnw -pl query-lambda -am package");

        boolean nativeBuild;
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            nativeBuild = archive.getEntry("bootstrap") != null;
        }
        Map<String, String> parameters = template.parameterValues(Map.of("QueryBuild", nativeBuild ? "native" : "jvm"));
        String runtime = String.valueOf(template.evaluate(function.get("Runtime"), parameters));
        String handler = String.valueOf(template.evaluate(function.get("Handler"), parameters));

        if (nativeBuild) {
            assertTrue(runtime.startsWith("provided"), "a native function.zip needs a provided runtime, not " + runtime);
            return;
        }
        int release = Integer.parseInt(childTexts(parse(root.resolve("pom.xml")), "maven.compiler.release").get(0));
        assertTrue(runtime.matches("java\\d+") && Integer.parseInt(runtime.substring(4)) >= release,
                "the JVM build (Java " + release + " bytecode) needs a java runtime of at least that version: " + runtime);
        String[] classAndMethod = handler.split("::");
        assertEquals(2, classAndMethod.length, "Java handler must be <class>::<method>: " + handler);
        try (URLClassLoader loader = lambdaClassPath(zip, unpacked)) {
            Class<?> type = Class.forName(classAndMethod[0], false, loader);
            assertFalse(Modifier.isAbstract(type.getModifiers()), type + " is abstract");
            assertNotNull(type.getConstructor(), type + " needs a public no-argument constructor");
            List<String> streamHandler = List.of(
                    "java.io.InputStream", "java.io.OutputStream", "com.amazonaws.services.lambda.runtime.Context");
            assertTrue(Arrays.stream(type.getMethods())
                            .filter(m -> m.getName().equals(classAndMethod[1]))
                            .map(Method::getParameterTypes)
                            .anyMatch(p -> Arrays.stream(p).map(Class::getName).toList().equals(streamHandler)),
                    type + " has no public " + classAndMethod[1] + streamHandler);
        } catch (ClassNotFoundException e) {
            fail(handler + " is not in " + zip + " (neither its root nor lib/)", e);
        }
    }

    @Test
    void shouldGrantNoWildcardActionAndNoWildcardResourceOnTheTable() {
        String table = template.onlyResourceOfType("AWS::DynamoDB::Table");
        List<String> problems = new ArrayList<>();
        statements().forEach((owner, statements) ->
                statements.forEach(s -> problems.addAll(problems(owner, map(s), table))));
        managedPolicies().forEach((owner, policies) -> policies.forEach(p -> {
            String text = p instanceof Map<?, ?> m && m.containsKey("Fn::Sub") ? String.valueOf(m.get("Fn::Sub")) : String.valueOf(p);
            if (ALLOWED_MANAGED_POLICIES.stream().noneMatch(a -> text.equals(a) || text.endsWith("/" + a))) {
                problems.add(owner + ": managed policy " + text + " is not one of " + ALLOWED_MANAGED_POLICIES);
            }
        }));
        policyTemplates().forEach((owner, templates) -> templates.forEach((name, arguments) -> {
            if (!ALLOWED_POLICY_TEMPLATES.contains(name)) {
                problems.add(owner + ": SAM policy template " + name + " is not one of " + ALLOWED_POLICY_TEMPLATES);
            } else if (!Map.of("Ref", table).equals(map(arguments).get("TableName"))) {
                problems.add(owner + ": " + name + " must be scoped with TableName: !Ref " + table);
            }
        }));
        assertEquals(List.of(), problems);
    }

    /**
     * The capture's writer calls exactly these on the table (reads back a window's parts with Query, the catalog
     * with GetItem); the tests run it through the IAM front, so a call outside the list fails there too.
     */
    @Test
    void shouldGrantTheCaptureExactlyTheTableCallsItsWriterMakes() {
        String table = template.onlyResourceOfType("AWS::DynamoDB::Table");
        Set<String> granted = new HashSet<>();
        statements().get("CaptureRole").forEach(s -> {
            List<String> actions = list(map(s).get("Action")).stream().map(String::valueOf).toList();
            if (actions.stream().anyMatch(a -> a.startsWith("dynamodb:"))) {
                assertEquals(List.of(Map.of("Fn::GetAtt", List.of(table, "Arn"))), list(map(s).get("Resource")),
                        "the capture's table statement names the table only");
                granted.addAll(actions);
            }
        });
        assertEquals(Set.of("dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:GetItem"), granted);
    }

    /** Cursors are signed with a key generated per stack; the function refuses the built-in one outside tests. */
    @Test
    void shouldGiveTheFunctionACursorKeyGeneratedForThisStack() {
        String id = QUERY_FUNCTION;
        Map<String, Object> variables = map(map(template.resourcesOfType(FUNCTION).get(id).get("Environment"))
                .get("Variables"));
        String reference = String.valueOf(map(variables.get("ORDERFLOW_CURSOR_KEY")).get("Fn::Sub"));
        String secret = template.onlyResourceOfType("AWS::SecretsManager::Secret");
        assertEquals("{{resolve:secretsmanager:${" + secret + "}:SecretString}}", reference);
        Map<String, Object> generate = map(template.resourcesOfType("AWS::SecretsManager::Secret").get(secret)
                .get("GenerateSecretString"));
        assertTrue(((Number) generate.get("PasswordLength")).intValue() >= 32, "cursor key length " + generate);
        assertEquals(Boolean.TRUE, generate.get("ExcludePunctuation"), "a key that needs no quoting anywhere");
    }

    @Test
    void shouldFlagWildcardGrantsOnTheTable() {
        Map<String, Object> tableArn = Map.of("Fn::GetAtt", List.of("Table", "Arn"));
        assertEquals(List.of(), problems("ok", Map.of("Action", "dynamodb:PutItem", "Resource", tableArn), "Table"));
        assertEquals(1, problems("a", Map.of("Action", "dynamodb:*", "Resource", tableArn), "Table").size());
        assertEquals(1, problems("b", Map.of("Action", "*", "Resource", tableArn), "Table").size());
        assertEquals(1, problems("c", Map.of("Action", List.of("dynamodb:PutItem"), "Resource", "*"), "Table").size());
        assertEquals(1, problems("d", Map.of("Action", "dynamodb:Query",
                "Resource", Map.of("Fn::Sub", "arn:aws:dynamodb:*:*:table/*")), "Table").size());
        assertEquals(1, problems("e", Map.of("Action", "dynamodb:Query",
                "Resource", Map.of("Fn::Sub", "${Table.Arn}/index/*")), "Table").size());
        assertEquals(1, problems("f", Map.of("NotAction", "iam:*", "Resource", tableArn), "Table").size());
    }

    @Test
    void shouldRequireSignedRequestsUnlessTheUserAsksForAPublicApi() {
        Map<String, Object> apiAuth = map(template.parameters().get("ApiAuth"));
        assertEquals("AWS_IAM", apiAuth.get("Default"), "ApiAuth default");
        Map<String, Map<String, Object>> routes = template.resourcesOfType("AWS::ApiGatewayV2::Route");
        assertFalse(routes.isEmpty(), "no route in the template");
        for (Object mode : list(apiAuth.get("AllowedValues"))) {
            Map<String, String> parameters = template.parameterValues(Map.of("ApiAuth", String.valueOf(mode)));
            routes.forEach((id, route) -> assertEquals(mode.equals("NONE") ? "NONE" : "AWS_IAM",
                    template.evaluate(route.get("AuthorizationType"), parameters), id + " with ApiAuth=" + mode));
        }
        assertEquals(Set.of("AWS_IAM", "NONE"), new HashSet<>(list(apiAuth.get("AllowedValues"))),
                "ApiAuth values: anything but NONE must mean signed requests");
    }

    @Test
    void shouldOfferNoOtherWayIntoTheFunction() {
        for (String type : List.of("AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::RestApi",
                "AWS::Lambda::Url")) {
            assertEquals(Set.of(), template.resourcesOfType(type).keySet(), type + " would bypass the IAM-authorised route");
        }
        template.resourcesOfType(FUNCTION).forEach((id, function) -> {
            assertFalse(function.containsKey("FunctionUrlConfig"), id + " FunctionUrlConfig");
            // an API event would add a route of its own; a schedule (the archiver's) adds no way in
            map(function.getOrDefault("Events", Map.of())).forEach((name, event) -> assertEquals("Schedule",
                    map(event).get("Type"), id + " event " + name + " (each API event would add a route of its own)"));
        });
        String api = template.onlyResourceOfType("AWS::ApiGatewayV2::Api");
        template.resourcesOfType("AWS::Lambda::Permission").forEach((id, permission) -> {
            assertEquals("apigateway.amazonaws.com", permission.get("Principal"), id + " Principal");
            String sourceArn = String.valueOf(map(permission.get("SourceArn")).get("Fn::Sub"));
            assertTrue(sourceArn.contains("${" + api + "}/"), id + " must be limited to this API: " + sourceArn);
        });
    }

    /** Problems of one IAM statement: wildcard actions, and wildcard or foreign resources for table actions. */
    static List<String> problems(String owner, Map<String, Object> statement, String table) {
        List<String> problems = new ArrayList<>();
        if (statement.containsKey("NotAction") || statement.containsKey("NotResource")) {
            problems.add(owner + ": NotAction/NotResource grants everything but a list");
        }
        List<String> actions = list(statement.get("Action")).stream().map(String::valueOf).toList();
        for (String action : actions) {
            if (action.contains("*")) {
                problems.add(owner + ": wildcard action " + action);
            }
        }
        boolean tableActions = actions.stream().anyMatch(a -> a.toLowerCase().startsWith("dynamodb:"));
        for (Object resource : list(statement.get("Resource"))) {
            if ("*".equals(resource) && !ACTIONS_WITHOUT_RESOURCE_LEVEL.containsAll(actions)) {
                problems.add(owner + ": Resource * for " + actions);
            } else if (tableActions && !isTableArn(resource, table)) {
                problems.add(owner + ": " + actions + " on " + resource + ", not exactly the table " + table);
            }
        }
        return problems;
    }

    private static boolean isTableArn(Object resource, String table) {
        if (resource instanceof Map<?, ?> m && m.containsKey("Fn::GetAtt")) {
            return List.of(table, "Arn").equals(m.get("Fn::GetAtt"));
        }
        if (resource instanceof Map<?, ?> m && m.containsKey("Fn::Sub")) {
            String text = String.valueOf(list(m.get("Fn::Sub")).get(0));
            return !text.contains("*") && (text.equals("${" + table + ".Arn}") || text.endsWith(":table/${" + table + "}"));
        }
        return false;
    }

    /** Inline IAM statements per owner (role policies, policies, function inline documents). */
    private Map<String, List<Object>> statements() {
        Map<String, List<Object>> found = new LinkedHashMap<>();
        template.resourcesOfType("AWS::IAM::Role").forEach((id, role) ->
                list(role.get("Policies")).forEach(p -> found.computeIfAbsent(id, k -> new ArrayList<>())
                        .addAll(list(map(map(p).get("PolicyDocument")).get("Statement")))));
        for (String type : List.of("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")) {
            template.resourcesOfType(type).forEach((id, policy) ->
                    found.put(id, list(map(policy.get("PolicyDocument")).get("Statement"))));
        }
        template.resourcesOfType(FUNCTION).forEach((id, function) -> list(function.get("Policies")).stream()
                .filter(p -> p instanceof Map<?, ?> m && m.containsKey("Statement"))
                .forEach(p -> found.computeIfAbsent(id, k -> new ArrayList<>()).addAll(list(map(p).get("Statement")))));
        return found;
    }

    private Map<String, List<Object>> managedPolicies() {
        Map<String, List<Object>> found = new LinkedHashMap<>();
        template.resourcesOfType("AWS::IAM::Role").forEach((id, role) -> found.put(id, list(role.get("ManagedPolicyArns"))));
        template.resourcesOfType(FUNCTION).forEach((id, function) -> found.put(id,
                list(function.get("Policies")).stream().filter(p -> !(p instanceof Map)).toList()));
        return found;
    }

    /** SAM policy templates per function: name → arguments. */
    private Map<String, Map<String, Object>> policyTemplates() {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        template.resourcesOfType(FUNCTION).forEach((id, function) -> list(function.get("Policies")).stream()
                .filter(p -> p instanceof Map<?, ?> m && !m.containsKey("Statement"))
                .forEach(p -> found.computeIfAbsent(id, k -> new LinkedHashMap<>()).putAll(map(p))));
        return found;
    }

    /**
     * The class path the Lambda Java runtime gives a zip archive: its root and every jar under lib/, on top of
     * the JDK alone (not this test's class path).
     */
    private static URLClassLoader lambdaClassPath(Path zip, Path into) throws IOException {
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : archive.stream().toList()) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("entry outside the archive root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = archive.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        List<URL> urls = new ArrayList<>();
        urls.add(into.toUri().toURL());
        Path lib = into.resolve("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.walk(lib)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    urls.add(jar.toUri().toURL());
                }
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static Document parse(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(pom.toFile());
        } catch (Exception e) {
            throw new AssertionError("cannot read " + pom, e);
        }
    }

    private static List<String> childTexts(Document document, String tag) {
        NodeList nodes = document.getElementsByTagName(tag);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(((Element) nodes.item(i)).getTextContent().trim());
        }
        return texts;
    }
}

package dev.orderflow.pipeline.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A CloudFormation/SAM template read as plain maps and lists, the short tags turned into their long form
 * ({@code !Ref X} → {@code {Ref: X}}, {@code !GetAtt A.B} → {@code {Fn::GetAtt: [A, B]}}, {@code !Sub s} →
 * {@code {Fn::Sub: s}}, …), plus the few evaluations the deploy tests need: conditions and {@code Fn::If} under
 * given parameter values, and the names a {@code Fn::Sub} string substitutes.
 */
final class CfnTemplate {
    static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
            "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    final Path file;
    final Map<String, Object> root;

    private CfnTemplate(Path file, Map<String, Object> root) {
        this.file = file;
        this.root = root;
    }

    static CfnTemplate load(Path file) {
        return new CfnTemplate(file, map(loadYaml(file)));
    }

    /** The repository's template.yaml. */
    static CfnTemplate loadRepositoryTemplate() {
        return load(repositoryRoot().resolve("template.yaml"));
    }

    /** The repository root: the nearest directory above the working directory that holds the Maven wrapper. */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no repository root (mvnw) above " + start);
    }

    /** Any YAML file that may hold CloudFormation short tags (a template or an AWS::Include snippet). */
    static Object loadYaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml(new ShortFormConstructor(options)).load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, Object> resources() {
        return map(root.get("Resources"));
    }

    Map<String, Object> parameters() {
        Object parameters = root.get("Parameters");
        return parameters == null ? Map.of() : map(parameters);
    }

    /** Logical ids and properties of the resources of one type, in template order. */
    Map<String, Map<String, Object>> resourcesOfType(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            Map<String, Object> r = map(resource);
            if (type.equals(r.get("Type"))) {
                Object properties = r.get("Properties");
                found.put(id, properties == null ? Map.of() : map(properties));
            }
        });
        return found;
    }

    String onlyResourceOfType(String type) {
        Map<String, Map<String, Object>> found = resourcesOfType(type);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type + " in " + file + " but found " + found.keySet());
        }
        return found.keySet().iterator().next();
    }

    /** Parameter defaults, with the given values on top. */
    Map<String, String> parameterValues(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        parameters().forEach((name, parameter) -> {
            Object def = map(parameter).get("Default");
            if (def != null) {
                values.put(name, String.valueOf(def));
            }
        });
        values.putAll(overrides);
        return values;
    }

    /**
     * Evaluates {@code Fn::If}, {@code Ref} of parameters and the condition functions inside {@code value} under
     * the given parameter values; anything else (resource references, Sub, GetAtt) is returned as it is.
     */
    Object evaluate(Object value, Map<String, String> parameterValues) {
        if (value instanceof Map<?, ?> m && m.size() == 1) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            Object key = e.getKey();
            if ("Fn::If".equals(key)) {
                List<Object> args = list(e.getValue());
                boolean condition = condition(String.valueOf(args.get(0)), parameterValues);
                return evaluate(args.get(condition ? 1 : 2), parameterValues);
            }
            if ("Ref".equals(key) && parameterValues.containsKey(String.valueOf(e.getValue()))) {
                return parameterValues.get(String.valueOf(e.getValue()));
            }
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object item : l) {
                out.add(evaluate(item, parameterValues));
            }
            return out;
        }
        return value;
    }

    boolean condition(String name, Map<String, String> parameterValues) {
        Object conditions = root.get("Conditions");
        Objects.requireNonNull(conditions, "template has no Conditions");
        Object definition = map(conditions).get(name);
        if (definition == null) {
            throw new AssertionError("undefined condition " + name);
        }
        return truth(definition, parameterValues);
    }

    private boolean truth(Object expression, Map<String, String> parameterValues) {
        Map<String, Object> m = map(expression);
        if (m.size() != 1) {
            throw new AssertionError("not a condition function: " + expression);
        }
        Map.Entry<String, Object> e = m.entrySet().iterator().next();
        switch (e.getKey()) {
            case "Fn::Equals" -> {
                List<Object> args = list(e.getValue());
                return Objects.equals(String.valueOf(evaluate(args.get(0), parameterValues)),
                        String.valueOf(evaluate(args.get(1), parameterValues)));
            }
            case "Fn::Not" -> {
                return !truth(list(e.getValue()).get(0), parameterValues);
            }
            case "Fn::And" -> {
                return list(e.getValue()).stream().allMatch(c -> truth(c, parameterValues));
            }
            case "Fn::Or" -> {
                return list(e.getValue()).stream().anyMatch(c -> truth(c, parameterValues));
            }
            case "Condition" -> {
                return condition(String.valueOf(e.getValue()), parameterValues);
            }
            default -> throw new AssertionError("unsupported condition function " + e.getKey());
        }
    }

    /** Whether {@code id} names something a template expression may refer to: parameter, resource or pseudo. */
    boolean defines(String id) {
        return parameters().containsKey(id) || resources().containsKey(id) || PSEUDO_PARAMETERS.contains(id);
    }

    /** The names a {@code Fn::Sub} string substitutes ({@code ${X}}, {@code ${X.Attr}}); {@code ${!x}} is literal. */
    static List<String> subVariables(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = SUB_VARIABLE.matcher(text);
        while (m.find()) {
            if (!m.group(1).startsWith("!")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The text of a {@code Fn::Sub} string with {@code ${X}} replaced by {@code values} and {@code ${!x}} by {@code ${x}}. */
    static String substitute(String text, Map<String, String> values) {
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = name.startsWith("!") ? "${" + name.substring(1) + "}" : values.get(name);
            if (replacement == null) {
                throw new AssertionError("no value for ${" + name + "}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every map in the tree under {@code node} (depth first), e.g. to find each Fn::Transform. */
    static List<Map<String, Object>> allMaps(Object node) {
        List<Map<String, Object>> found = new ArrayList<>();
        collectMaps(node, found);
        return found;
    }

    private static void collectMaps(Object node, List<Map<String, Object>> found) {
        if (node instanceof Map<?, ?> m) {
            found.add(map(m));
            m.values().forEach(v -> collectMaps(v, found));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectMaps(v, found));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        if (!(node instanceof Map)) {
            throw new AssertionError("expected a mapping but found " + node);
        }
        return (Map<String, Object>) node;
    }

    /** A list as it is, or a single value as a one-element list (IAM's Action/Resource may be either). */
    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
        if (node == null) {
            return List.of();
        }
        return node instanceof List ? (List<Object>) node : List.of(node);
    }

    /** Builds {@code {Ref: X}}, {@code {Fn::GetAtt: [A, B]}}, {@code {Fn::Sub: …}} … from the short tags. */
    private static final class ShortFormConstructor extends SafeConstructor {
        ShortFormConstructor(LoaderOptions options) {
            super(options);
            yamlMultiConstructors.put("!", new ConstructShortForm());
        }

        private final class ConstructShortForm extends AbstractConstruct {
            @Override
            public Object construct(Node node) {
                String tag = node.getTag().getValue().substring(1);
                String key = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
                Object value;
                if (node instanceof ScalarNode scalar) {
                    String text = constructScalar(scalar);
                    value = tag.equals("GetAtt") ? List.of(text.split("\\.", 2)) : text;
                } else if (node instanceof SequenceNode sequence) {
                    value = constructSequence(sequence);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                Map<String, Object> longForm = new LinkedHashMap<>();
                longForm.put(key, value);
                return longForm;
            }
        }
    }
}

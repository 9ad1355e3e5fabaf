package dev.orderflow.dynamodblocal.iam;

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
 * {@code {Fn::Sub: s}}, …), plus the few evaluations that the IAM front ({@link IamPolicy#fromTemplate}) and the
 * deploy tests need: conditions and {@code Fn::If} under given parameter values, the names a {@code Fn::Sub}
 * string substitutes, and strings resolved from known names ({@link #resolve}).
 */
public final class CfnTemplate {
    public static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",
            "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    public final Path file;
    public final Map<String, Object> root;

    private CfnTemplate(Path file, Map<String, Object> root) {
        this.file = file;
        this.root = root;
    }

    public static CfnTemplate load(Path file) {
        return new CfnTemplate(file, map(loadYaml(file)));
    }

    /** The repository's template.yaml. */
    public static CfnTemplate loadRepositoryTemplate() {
        return load(repositoryRoot().resolve("template.yaml"));
    }

    /**
     * The repository root: the nearest directory above the working directory that holds the Maven wrapper (what a
     * module's tests run in).
     */
    public static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (mvnw) above " + start);
    }

    /** Any YAML file that may hold CloudFormation short tags (a template or an AWS::Include snippet). */
    public static Object loadYaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml(new ShortFormConstructor(options)).load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Map<String, Object> resources() {
        return map(root.get("Resources"));
    }

    public Map<String, Object> parameters() {
        Object parameters = root.get("Parameters");
        return parameters == null ? Map.of() : map(parameters);
    }

    /** Logical ids and properties of the resources of one type, in template order. */
    public Map<String, Map<String, Object>> resourcesOfType(String type) {
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

    public String onlyResourceOfType(String type) {
        Map<String, Map<String, Object>> found = resourcesOfType(type);
        if (found.size() != 1) {
            throw new IllegalArgumentException("expected exactly one " + type + " in " + file + " but found " + found.keySet());
        }
        return found.keySet().iterator().next();
    }

    /** Parameter defaults, with the given values on top. */
    public Map<String, String> parameterValues(Map<String, String> overrides) {
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
    public Object evaluate(Object value, Map<String, String> parameterValues) {
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

    public boolean condition(String name, Map<String, String> parameterValues) {
        Object conditions = root.get("Conditions");
        Objects.requireNonNull(conditions, "template has no Conditions");
        Object definition = map(conditions).get(name);
        if (definition == null) {
            throw new IllegalArgumentException("undefined condition " + name);
        }
        return truth(definition, parameterValues);
    }

    private boolean truth(Object expression, Map<String, String> parameterValues) {
        Map<String, Object> m = map(expression);
        if (m.size() != 1) {
            throw new IllegalArgumentException("not a condition function: " + expression);
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
            default -> throw new IllegalArgumentException("unsupported condition function " + e.getKey());
        }
    }

    /** Whether {@code id} names something a template expression may refer to: parameter, resource or pseudo. */
    public boolean defines(String id) {
        return parameters().containsKey(id) || resources().containsKey(id) || PSEUDO_PARAMETERS.contains(id);
    }

    /** The names a {@code Fn::Sub} string substitutes ({@code ${X}}, {@code ${X.Attr}}); {@code ${!x}} is literal. */
    public static List<String> subVariables(String text) {
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
    public static String substitute(String text, Map<String, String> values) {
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = name.startsWith("!") ? "${" + name.substring(1) + "}" : values.get(name);
            if (replacement == null) {
                throw new IllegalArgumentException("no value for ${" + name + "}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * A string value resolved completely: {@code Fn::If} and parameters as {@link #evaluate} does, then {@code Ref},
     * {@code Fn::GetAtt}, {@code Fn::Sub} (both forms), {@code Fn::Join}, {@code Fn::Select} and {@code Fn::Split}
     * from {@code names}, which maps a {@code Ref} target ({@code Table}, {@code AWS::Region}) or an attribute
     * ({@code Table.Arn}) to its value.
     *
     * @throws IllegalArgumentException for a name {@code names} lacks or a function this does not evaluate
     */
    public String resolve(Object value, Map<String, String> names, Map<String, String> parameterValues) {
        Object evaluated = evaluate(value, parameterValues);
        Object resolved = resolveAny(evaluated, names, parameterValues);
        if (resolved instanceof List) {
            throw new IllegalArgumentException("a list where a string was expected: " + value);
        }
        return String.valueOf(resolved);
    }

    private Object resolveAny(Object value, Map<String, String> names, Map<String, String> parameterValues) {
        value = evaluate(value, parameterValues);
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object item : l) {
                out.add(resolveAny(item, names, parameterValues));
            }
            return out;
        }
        if (!(value instanceof Map<?, ?> m)) {
            return String.valueOf(value);
        }
        if (m.size() != 1) {
            throw new IllegalArgumentException("not an intrinsic function: " + value);
        }
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        Object arg = e.getValue();
        switch (String.valueOf(e.getKey())) {
            case "Ref" -> {
                return known(String.valueOf(arg), names);
            }
            case "Fn::GetAtt" -> {
                List<Object> parts = list(arg);
                return known(parts.get(0) + "." + parts.get(1), names);
            }
            case "Fn::Sub" -> {
                List<Object> args = list(arg);
                Map<String, String> values = new LinkedHashMap<>(names);
                if (args.size() > 1) {
                    map(args.get(1)).forEach((k, v) -> values.put(k, String.valueOf(resolveAny(v, names, parameterValues))));
                }
                String text = String.valueOf(args.get(0));
                for (String name : subVariables(text)) {
                    known(name, values);
                }
                return substitute(text, values);
            }
            case "Fn::Join" -> {
                List<Object> args = list(arg);
                List<String> parts = new ArrayList<>();
                for (Object part : list(resolveAny(args.get(1), names, parameterValues))) {
                    parts.add(String.valueOf(part));
                }
                return String.join(String.valueOf(args.get(0)), parts);
            }
            case "Fn::Select" -> {
                List<Object> args = list(arg);
                int index = Integer.parseInt(String.valueOf(resolveAny(args.get(0), names, parameterValues)));
                return list(resolveAny(args.get(1), names, parameterValues)).get(index);
            }
            case "Fn::Split" -> {
                List<Object> args = list(arg);
                String text = String.valueOf(resolveAny(args.get(1), names, parameterValues));
                return List.<Object>of(text.split(Pattern.quote(String.valueOf(args.get(0))), -1));
            }
            default -> throw new IllegalArgumentException("cannot resolve " + e.getKey() + " in " + value);
        }
    }

    private static String known(String name, Map<String, String> names) {
        String value = names.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no local value for " + name + " (known: " + names.keySet() + ")");
        }
        return value;
    }

    /** Every map in the tree under {@code node} (depth first), e.g. to find each Fn::Transform. */
    public static List<Map<String, Object>> allMaps(Object node) {
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
    public static Map<String, Object> map(Object node) {
        if (!(node instanceof Map)) {
            throw new IllegalArgumentException("expected a mapping but found " + node);
        }
        return (Map<String, Object>) node;
    }

    /** A list as it is, or a single value as a one-element list (IAM's Action/Resource may be either). */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object node) {
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

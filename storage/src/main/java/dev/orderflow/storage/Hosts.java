package dev.orderflow.storage;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Capture hosts: several capture processes may write the same table (active-active), each under a name of its own.
 * This class is the one place that knows how a host is named and where its name is stored:
 * <ul>
 * <li>a gap record's {@code host}: the host that missed the window (see {@link UnionGaps});</li>
 * <li>an event chunk's {@code hosts} (string set): the hosts whose events the chunk holds;</li>
 * <li>the catalog: each host's own item ({@link CatalogItems}) or, in older tables, a channel item's
 * {@code first#<host>}, {@code last#<host>} and {@code confirmed_until#<host>}: what that host stored of the channel,
 * and up to when it stored everything it received; {@code receiving#<host>}: when it last said it was receiving the
 * channel (a restart's downtime starts there).</li>
 * </ul>
 */
public final class Hosts {
    /** A host name: lower-case letters, digits and dashes, 1 to 32 characters, starting with a letter or digit. */
    public static final String PATTERN = "[a-z0-9][a-z0-9-]{0,31}";
    /** The name of the one host of a deployment that names none. */
    public static final String DEFAULT = "a";
    public static final String GAP_HOST = "host";
    public static final String GAP_RECEIVING_UNTIL = "receiving_until";
    public static final String GAP_RECEIVING_AGAIN = "receiving_again";
    public static final String CHUNK_HOSTS = "hosts";
    /**
     * The margin a host's own times of receiving get ({@code receiving_until} less it, {@code receiving_again} plus
     * it): one-way latency from the exchange and the host's clock skew (EC2's time sync keeps that under a
     * millisecond) are far below it.
     */
    public static final long RECEIVING_MARGIN_MICROS = 500_000;
    private static final Pattern VALID = Pattern.compile(PATTERN);

    private Hosts() {
    }

    public static boolean valid(String host) {
        return host != null && VALID.matcher(host).matches();
    }

    public static String catalogFirst(String host) {
        return TableLayout.CATALOG_FIRST + "#" + host;
    }

    public static String catalogLast(String host) {
        return TableLayout.CATALOG_LAST + "#" + host;
    }

    /** When the host last said, in the catalog, that it was receiving the channel (µs, its clock). */
    public static String catalogReceiving(String host) {
        return "receiving#" + host;
    }

    public static String catalogConfirmedUntil(String host) {
        return TableLayout.CATALOG_CONFIRMED_UNTIL + "#" + host;
    }

    /**
     * What one host stored of a channel, from the catalog (µs; {@code null} when not recorded).
     *
     * @param firstMicros          the first event it stored
     * @param lastMicros           the last event it stored
     * @param confirmedUntilMicros the time before which it stored everything it received
     */
    public record Span(Long firstMicros, Long lastMicros, Long confirmedUntilMicros) {
    }

    /** Each host's span, by host name, as a catalog item holds them (empty for a table written by unnamed hosts). */
    public static Map<String, Span> spans(Map<String, AttributeValue> catalogItem) {
        Set<String> names = new TreeSet<>();
        for (String attribute : catalogItem.keySet()) {
            int hash = attribute.indexOf('#');
            if (hash > 0 && valid(attribute.substring(hash + 1))) {
                names.add(attribute.substring(hash + 1));
            }
        }
        Map<String, Span> spans = new TreeMap<>();
        for (String host : names) {
            spans.put(host, new Span(Attributes.micros(catalogItem, catalogFirst(host)), Attributes.micros(catalogItem, catalogLast(host)),
                    Attributes.micros(catalogItem, catalogConfirmedUntil(host))));
        }
        return spans;
    }

    /** The {@code hosts} attribute of a chunk item: the names given, as a string set. */
    public static AttributeValue chunkHosts(Collection<String> hosts) {
        return AttributeValue.fromSs(new TreeSet<>(hosts).stream().toList());
    }

    /** The hosts a chunk item names (empty for chunks written before hosts were named). */
    public static Set<String> chunkHosts(Map<String, AttributeValue> item) {
        AttributeValue value = item.get(CHUNK_HOSTS);
        return value == null || !value.hasSs() ? Set.of() : new TreeSet<>(value.ss());
    }

}

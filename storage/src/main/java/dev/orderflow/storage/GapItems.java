package dev.orderflow.storage;

import static dev.orderflow.storage.Attributes.putIfPresent;
import static dev.orderflow.storage.Attributes.string;
import static dev.orderflow.storage.TableLayout.PK;
import static dev.orderflow.storage.TableLayout.SK;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The table's gap records ({@link GapRecord}): their keys and items, written and read here only.
 *
 * <p>Gaps: {@code pk = "<pair>#<channel>#gaps"}, {@code sk = "<from µs, 16 digits>#<kind>[#<host>]"}, attributes
 * {@code kind} ({@code chain_break}|{@code disconnect}), {@code from}/{@code to} (µs), and where known
 * {@code last_event_id}, {@code first_event_id_after}, {@code expected_pre_event_id}, {@code detail}, and
 * {@code host}, the capture host that wrote it ({@link Hosts}; absent in tables written before hosts were named), and
 * for a disconnect, where known, {@code receiving_until}/{@code receiving_again} (µs: the host received every event
 * stamped before, and after, these).
 */
public final class GapItems {
    public static final String GAP_KIND = "kind";
    public static final String GAP_FROM = "from";
    public static final String GAP_TO = "to";
    public static final String GAP_LAST_EVENT_ID = "last_event_id";
    public static final String GAP_FIRST_EVENT_ID_AFTER = "first_event_id_after";
    public static final String GAP_EXPECTED_PRE_EVENT_ID = "expected_pre_event_id";
    public static final String GAP_DETAIL = "detail";

    /** What a gap record key adds to its channel's chunk key. */
    private static final String SUFFIX = "#gaps";

    private GapItems() {
    }

    public static String gapsPk(String pair, Channel channel) {
        return TableLayout.chunkPk(pair, channel) + SUFFIX;
    }

    /** A gap record's sort key; each host's record of the same window is an item of its own. */
    public static String gapSk(long fromMicros, GapRecord.Kind kind, List<String> hosts) {
        String sk = String.format(Locale.ROOT, "%016d#%s", fromMicros, kind.apiName());
        return hosts.size() == 1 ? sk + "#" + hosts.get(0) : sk;
    }

    public static Map<String, AttributeValue> toItem(GapRecord gap) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, AttributeValue.fromS(gapsPk(gap.pair(), gap.channel())));
        item.put(SK, AttributeValue.fromS(gapSk(gap.fromMicros(), gap.kind(), gap.hosts())));
        if (gap.hosts().size() == 1) {
            item.put(Hosts.GAP_HOST, AttributeValue.fromS(gap.hosts().get(0)));
        }
        if (gap.receivingUntilMicros() != null) {
            item.put(Hosts.GAP_RECEIVING_UNTIL, AttributeValue.fromN(gap.receivingUntilMicros().toString()));
        }
        if (gap.receivingAgainMicros() != null) {
            item.put(Hosts.GAP_RECEIVING_AGAIN, AttributeValue.fromN(gap.receivingAgainMicros().toString()));
        }
        item.put(GAP_KIND, AttributeValue.fromS(gap.kind().apiName()));
        item.put(GAP_FROM, AttributeValue.fromN(Long.toString(gap.fromMicros())));
        item.put(GAP_TO, AttributeValue.fromN(Long.toString(gap.toMicros())));
        putIfPresent(item, GAP_LAST_EVENT_ID, gap.lastEventId());
        putIfPresent(item, GAP_FIRST_EVENT_ID_AFTER, gap.firstEventIdAfter());
        putIfPresent(item, GAP_EXPECTED_PRE_EVENT_ID, gap.expectedPreEventId());
        putIfPresent(item, GAP_DETAIL, gap.detail());
        return item;
    }

    public static GapRecord gapFromItem(Map<String, AttributeValue> item) {
        String pk = item.get(PK).s();
        String base = pk.substring(0, pk.length() - SUFFIX.length());
        int hash = base.lastIndexOf('#');
        return new GapRecord(base.substring(0, hash),
                Channel.fromApiName(base.substring(hash + 1)).orElseThrow(),
                GapRecord.Kind.fromApiName(item.get(GAP_KIND).s()),
                Long.parseLong(item.get(GAP_FROM).n()),
                Long.parseLong(item.get(GAP_TO).n()),
                string(item, GAP_LAST_EVENT_ID),
                string(item, GAP_FIRST_EVENT_ID_AFTER),
                string(item, GAP_EXPECTED_PRE_EVENT_ID),
                string(item, GAP_DETAIL),
                item.containsKey(Hosts.GAP_HOST) ? List.of(item.get(Hosts.GAP_HOST).s()) : List.of(),
                item.containsKey(Hosts.GAP_RECEIVING_UNTIL) ? Long.valueOf(item.get(Hosts.GAP_RECEIVING_UNTIL).n())
                        : null,
                item.containsKey(Hosts.GAP_RECEIVING_AGAIN) ? Long.valueOf(item.get(Hosts.GAP_RECEIVING_AGAIN).n())
                        : null);
    }
}

package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** One update of a channel's catalog item: what it sets, on which conditions ({@link TableClient#updateCatalog}). */
final class CatalogUpdate {
    private final List<String> sets = new ArrayList<>();
    private final List<String> conditions = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();

    String expression() {
        return "SET " + String.join(", ", sets);
    }

    /** The condition, or {@code null} when the update has none. */
    String condition() {
        return conditions.isEmpty() ? null : String.join(" AND ", conditions);
    }

    Map<String, String> names() {
        return names;
    }

    Map<String, AttributeValue> values() {
        return values;
    }

    /** The table-wide {@code confirmed_until} and {@code updated}, only forward. */
    CatalogUpdate confirmed(long updatedMicros, long confirmedUntilMicros) {
        set("#updated", TableLayout.CATALOG_UPDATED, ":updated", updatedMicros);
        set("#confirmed", TableLayout.CATALOG_CONFIRMED_UNTIL, ":confirmed", confirmedUntilMicros);
        conditions.add("(attribute_not_exists(#confirmed) OR #confirmed <= :confirmed)");
        return this;
    }

    CatalogUpdate firstIfMissing(long micros) {
        names.put("#first", TableLayout.CATALOG_FIRST);
        values.put(":first", number(micros));
        sets.add("#first = if_not_exists(#first, :first)");
        return this;
    }

    /** The table-wide {@code first}, only earlier. */
    CatalogUpdate first(long micros) {
        set("#first", TableLayout.CATALOG_FIRST, ":first", micros);
        conditions.add("(attribute_not_exists(#first) OR #first > :first)");
        return this;
    }

    /** The table-wide {@code last}, only later. */
    CatalogUpdate last(long micros) {
        set("#last", TableLayout.CATALOG_LAST, ":last", micros);
        conditions.add("(attribute_not_exists(#last) OR #last <= :last)");
        return this;
    }

    /** This host's own points: written by it alone, so without a condition. */
    CatalogUpdate host(String host, long[] range, long confirmedUntilMicros, Long receivingMicros) {
        set("#hconfirmed", Hosts.catalogConfirmedUntil(host), ":hconfirmed", confirmedUntilMicros);
        if (receivingMicros != null) {
            set("#hreceiving", Hosts.catalogReceiving(host), ":hreceiving", receivingMicros);
        }
        if (range != null) {
            names.put("#hfirst", Hosts.catalogFirst(host));
            values.put(":hfirst", number(range[0]));
            sets.add("#hfirst = if_not_exists(#hfirst, :hfirst)");
            set("#hlast", Hosts.catalogLast(host), ":hlast", range[1]);
        }
        return this;
    }

    private void set(String name, String attribute, String value, long micros) {
        names.put(name, attribute);
        values.put(value, number(micros));
        sets.add(name + " = " + value);
    }

    private static AttributeValue number(long micros) {
        return AttributeValue.fromN(Long.toString(micros));
    }
}

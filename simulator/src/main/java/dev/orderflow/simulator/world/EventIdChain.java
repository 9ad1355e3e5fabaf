package dev.orderflow.simulator.world;

/**
 * The {@code event_id}/{@code pre_event_id} chain of one {@code live_orders} channel, shaped like real 2026 ids
 * such as {@code 0006589a-5d2d-1378-0003-000103000020}:
 * <ul>
 *   <li>groups 1-3 (64 bits): the event's microtimestamp, hex;</li>
 *   <li>group 4: how many earlier events of the channel carry the same microtimestamp;</li>
 *   <li>group 5: the pair's market code (4 hex), the channel sequence number modulo 4 (2 hex), {@code 000020}.</li>
 * </ul>
 * Each event's {@code pre_event_id} is the previous event's {@code event_id}, so a lost event breaks the chain.
 * Ids stay unique per channel: when 65,536 events would share one millisecond, the next one moves to the next.
 */
public final class EventIdChain {
    /** One event's place in the chain; {@code micros} may be later than asked for (see class comment). */
    public record Link(long micros, String eventId, String preEventId) {
    }

    private final int marketCode;
    private long lastMicros;
    private int sameMicros;
    private long sequence;
    private String last;

    /** A chain whose first event points back to a made-up event one millisecond before {@code startMicros}. */
    public EventIdChain(int marketCode, long startMicros) {
        this.marketCode = marketCode;
        this.lastMicros = startMicros - 1000;
        this.last = format(lastMicros, 0, 0);
    }

    /** The next link for an event at {@code micros} (never earlier than the previous event's). */
    public Link next(long micros) {
        long at = Math.max(micros, lastMicros);
        if (at == lastMicros) {
            sameMicros++;
            if (sameMicros > 0xffff) {
                at += 1000;
                sameMicros = 0;
            }
        } else {
            sameMicros = 0;
        }
        lastMicros = at;
        sequence++;
        String id = format(at, sameMicros, sequence);
        Link link = new Link(at, id, last);
        last = id;
        return link;
    }

    private String format(long micros, int same, long seq) {
        StringBuilder id = new StringBuilder(36);
        hex(id, micros >>> 32, 8).append('-');
        hex(id, (micros >>> 16) & 0xffff, 4).append('-');
        hex(id, micros & 0xffff, 4).append('-');
        hex(id, same, 4).append('-');
        hex(id, marketCode, 4);
        return hex(id, seq & 3, 2).append("000020").toString();
    }

    /** {@code value} as {@code digits} lowercase hex digits, zero-padded (a burst formats hundreds of thousands). */
    private static StringBuilder hex(StringBuilder to, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            to.append(Character.forDigit((int) (value >>> shift) & 0xf, 16));
        }
        return to;
    }
}

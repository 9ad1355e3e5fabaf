package dev.orderflow.query.candles;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameters;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Format;
import dev.orderflow.query.api.PageBuffer;
import dev.orderflow.query.api.Params;
import dev.orderflow.query.api.Problem;
import dev.orderflow.query.api.RowWriter;
import dev.orderflow.query.api.TimeRange;
import dev.orderflow.query.api.Times;
import dev.orderflow.query.coverage.Coverage;
import dev.orderflow.query.coverage.CoverageCheck;
import dev.orderflow.query.events.ChunkReader;
import dev.orderflow.query.events.ChunkReader.StoredChunk;
import dev.orderflow.query.events.EventFields;
import dev.orderflow.storage.Side;
import dev.orderflow.query.gaps.GapStore;
import dev.orderflow.query.pairs.Catalog;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.CoverageRule;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Pairs;
import dev.orderflow.storage.TableLayout;
import io.quarkus.logging.Log;

/** {@code GET /v1/trades/candles}: OHLCV bars computed from the stored trades, with exact decimals. */
@Path("/v1/trades/candles")
@Tag(name = "candles")
public class CandlesResource {
    private static final List<String> PARAMETERS = List.of("pair", "interval", "from", "to", "format");
    /** CSV columns, in order. */
    static final List<String> COLUMNS = List.of("start", "end", "open", "high", "low", "close", "volume",
            "quote_volume", "vwap", "trades", "buy_volume", "sell_volume", "complete");
    private static final Map<String, Duration> INTERVALS = Map.of("1m", Duration.ofMinutes(1),
            "5m", Duration.ofMinutes(5), "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));

    private final ChunkReader reader;
    private final Catalog catalog;
    private final GapStore gaps;
    private final CoverageCheck coverage;
    private final QueryConfig config;

    public CandlesResource(ChunkReader reader, Catalog catalog, GapStore gaps, CoverageCheck coverage,
            QueryConfig config) {
        this.reader = reader;
        this.catalog = catalog;
        this.gaps = gaps;
        this.coverage = coverage;
        this.config = config;
    }

    @GET
    @Operation(summary = "OHLCV bars from stored trades",
            description = "Bars of `interval` aligned to UTC (epoch multiples; 1d = UTC days) over [from, to); "
                    + "`from` is rounded down and `to` up to whole bars. Prices are trade prices exactly as the "
                    + "exchange sent them (open = first trade, close = last, in exchange order); volumes are exact "
                    + "sums of amounts; vwap = quote_volume / volume rounded half-even to 8 more decimals than the "
                    + "bar's most precise price. A bar without trades has trades 0, volume 0 and null prices. "
                    + "Each bar says whether it is `complete` (no gap record concerns it, its writes are "
                    + "confirmed, it does not start before the first stored trade). At most 1500 bars and 7 days "
                    + "(P7D) per query.")
    @Parameters({
        @Parameter(name = "pair", in = ParameterIn.QUERY, required = true, description = "Pair with stored trades.",
                schema = @Schema(type = SchemaType.STRING, pattern = Pairs.PATTERN)),
        @Parameter(name = "interval", in = ParameterIn.QUERY, required = true, description = "Bar length.",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"1m", "5m", "1h", "1d"})),
        @Parameter(name = "from", in = ParameterIn.QUERY, description = "Start, inclusive (ISO-8601 or epoch ms), "
                + "rounded down to a bar. Default: `to` minus 60 bars (at most 7 days).",
                schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "to", in = ParameterIn.QUERY, description = "End, exclusive, rounded up to a bar. "
                + "Default: `from` plus 60 bars (at most 7 days), or now when `from` is not given either. At most "
                + "1500 bars and 7 days (P7D) after `from`.", schema = @Schema(type = SchemaType.STRING)),
        @Parameter(name = "format", in = ParameterIn.QUERY, description = "json, ndjson or csv; wins over Accept.",
                schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "ndjson", "csv"}))
    })
    @APIResponse(responseCode = "200", description = "The bars, oldest first. NDJSON: one bar per line; CSV: header "
            + "row and columns start, end, open, high, low, close, volume, quote_volume, vwap, trades, buy_volume, "
            + "sell_volume, complete. Coverage in X-Coverage-* headers (all formats) and `coverage` (JSON).",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(ref = "CandleList")),
                @Content(mediaType = "application/x-ndjson", schema = @Schema(ref = "Candle",
                        description = "One bar object (as in JSON) per line.")),
                @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING, description = "Header "
                        + "row, then one bar per row. Columns: start, end, open, high, low, close, volume, "
                        + "quote_volume, vwap, trades, buy_volume, sell_volume, complete."))
            })
    @APIResponse(responseCode = "400", description = "A parameter is invalid; `parameter` names it.",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(ref = "Problem")))
    public Response candles(@Context UriInfo uri, @Context HttpHeaders headers) throws IOException {
        Params params = Params.of(uri, PARAMETERS);
        Format format = Format.negotiate(params.get("format"), headers.getRequestHeader(HttpHeaders.ACCEPT));
        String pair = Catalog.pairParameter(params);
        String intervalName = params.require("interval", "1m, 5m, 1h or 1d.");
        Duration interval = Optional.ofNullable(INTERVALS.get(intervalName)).orElseThrow(
                () -> Problem.badParameter("interval", "'interval' must be 1m, 5m, 1h or 1d."));
        long step = TimeRange.micros(interval);
        int maxBars = config.candles().maxBars();
        long maxSpan = Math.min(TimeRange.micros(config.candles().maxSpan()), step * maxBars);
        long defaultSpan = Math.min(step * config.candles().defaultBars(), maxSpan);
        TimeRange asked = TimeRange.of(params, Duration.ofNanos(defaultSpan * 1000L), null,
                ceil(System.currentTimeMillis() * 1000L, step));
        long from = Math.floorDiv(asked.fromMicros(), step) * step;
        long to = ceil(asked.toMicros(), step);
        // a bound left out is the other one's default span away, in whole bars from the other one rounded: rounding
        // both ends of a span off the bars' edges would add a bar, and could pass the limits the client never set
        long defaultBars = Math.max(1, defaultSpan / step);
        if (params.get("to").isEmpty() && params.get("from").isPresent()) {
            to = from + defaultBars * step;
        } else if (params.get("from").isEmpty() && params.get("to").isPresent()) {
            from = to - defaultBars * step;
        }
        if ((to - from) / step > maxBars) {
            throw Problem.badParameter("to", "[from, to) holds " + (to - from) / step + " bars of " + intervalName
                    + "; at most " + maxBars + " per query. Use a longer interval or split the range.");
        }
        if (to - from > TimeRange.micros(config.candles().maxSpan())) {
            throw Problem.badParameter("to", "[from, to) spans " + TimeRange.describe(to - from) + "; at most "
                    + TimeRange.describe(TimeRange.micros(config.candles().maxSpan()))
                    + " per candle query (all its trades are read at once). Split the range.");
        }
        Map<Channel, Catalog.Entry> channels = catalog.requirePair(pair);
        Catalog.Entry entry = channels.get(Channel.TRADES);

        Bar[] bars = new Bar[(int) ((to - from) / step)];
        int unreadable = aggregate(pair, from, to, step, bars);
        Coverage cover = coverage.of(pair, Channel.TRADES, from, to, entry, unreadable);
        List<GapRecord> gapList = gaps.intersecting(pair, Channel.TRADES, from, to, Integer.MAX_VALUE - 1);

        PageBuffer buffer = new PageBuffer(16 * 1024);
        JsonGenerator json = null;
        RowWriter rows;
        switch (format) {
            case JSON -> {
                json = Frames.MAPPER.getFactory().createGenerator(buffer);
                json.writeStartObject();
                json.writeStringField("pair", pair);
                json.writeStringField("interval", intervalName);
                json.writeStringField("from", Times.iso(from));
                json.writeStringField("to", Times.iso(to));
                json.writeArrayFieldStart("candles");
                rows = RowWriter.jsonArray(json, buffer);
            }
            case NDJSON -> rows = RowWriter.ndjson(buffer);
            default -> rows = RowWriter.csv(buffer, COLUMNS, null);
        }
        for (int i = 0; i < bars.length; i++) {
            long start = from + i * step;
            long end = start + step;
            boolean complete = entry != null && CoverageRule.reasons(start, end,
                    gapList.stream().anyMatch(g -> g.fromMicros() < end && g.toMicros() >= start),
                    entry.confirmedUntilMicros(), entry.firstMicros(), unreadable).isEmpty();
            write(rows, start, end, bars[i], complete);
        }
        rows.finish();
        if (json != null) {
            json.writeEndArray();
            json.writeFieldName("coverage");
            cover.write(json);
            json.writeEndObject();
            json.close();
        }
        return cover.headers(Response.ok(buffer.toByteArray(), format.mediaType())).build();
    }

    /** Adds every stored trade in [from, to) to its bar; returns the number of chunks or trades it could not read. */
    private int aggregate(String pair, long from, long to, long step, Bar[] bars) {
        Iterator<StoredChunk> chunks = reader.read(pair, Channel.TRADES,
                TableLayout.lowestSk(from), TableLayout.highestSk(to), 64);
        EventFields fields = new EventFields(Channel.TRADES);
        int unreadable = 0;
        while (chunks.hasNext()) {
            ChunkReader.Events events = chunks.next().events();
            while (events.next()) {
                EventView event = events.event();
                long t = event.microtimestamp();
                if (t < from || t >= to || !"trade".equals(fields.type(event))) {
                    continue;
                }
                EventView.Fields data = event.data();
                String price = data == null ? null : fields.price(data);
                String amount = data == null ? null : fields.amount(data);
                if (price == null || amount == null) {
                    Log.warnf("Trade %s of %s without price or amount left out of candles",
                            data == null ? null : fields.id(data), pair);
                    unreadable++;
                    continue;
                }
                try {
                    int i = (int) ((t - from) / step);
                    if (bars[i] == null) {
                        bars[i] = new Bar();
                    }
                    bars[i].add(price, new BigDecimal(price), new BigDecimal(amount), fields.side(data));
                } catch (NumberFormatException e) {
                    Log.warnf("Trade %s of %s without a readable price or amount left out of candles",
                            fields.id(data), pair);
                    unreadable++;
                }
            }
            unreadable += events.damaged() ? 1 : 0;
        }
        return unreadable;
    }

    private static void write(RowWriter rows, long start, long end, Bar bar, boolean complete) {
        rows.startRow();
        rows.string("start", Times.iso(start));
        rows.string("end", Times.iso(end));
        if (bar == null) {
            for (String name : List.of("open", "high", "low", "close")) {
                rows.nul(name);
            }
            rows.string("volume", "0");
            rows.string("quote_volume", "0");
            rows.nul("vwap");
            rows.number("trades", 0);
            rows.string("buy_volume", "0");
            rows.string("sell_volume", "0");
        } else {
            rows.string("open", bar.open);
            rows.string("high", bar.highText);
            rows.string("low", bar.lowText);
            rows.string("close", bar.close);
            rows.string("volume", bar.volume.toPlainString());
            rows.string("quote_volume", bar.quoteVolume.toPlainString());
            BigDecimal vwap = bar.vwap();
            if (vwap == null) {
                rows.nul("vwap");
            } else {
                rows.string("vwap", vwap.toPlainString());
            }
            rows.number("trades", bar.trades);
            rows.string("buy_volume", bar.buyVolume.toPlainString());
            rows.string("sell_volume", bar.sellVolume.toPlainString());
        }
        rows.bool("complete", complete);
        rows.endRow();
    }

    private static long ceil(long micros, long step) {
        return -Math.floorDiv(-micros, step) * step;
    }

    /** The trades of one bar so far. */
    private static final class Bar {
        String open;
        String close;
        BigDecimal high;
        String highText;
        BigDecimal low;
        String lowText;
        int priceScale;
        BigDecimal volume = BigDecimal.ZERO;
        BigDecimal quoteVolume = BigDecimal.ZERO;
        BigDecimal buyVolume = BigDecimal.ZERO;
        BigDecimal sellVolume = BigDecimal.ZERO;
        long trades;

        void add(String priceText, BigDecimal price, BigDecimal amount, Side side) {
            if (open == null) {
                open = priceText;
            }
            close = priceText;
            if (high == null || price.compareTo(high) > 0) {
                high = price;
                highText = priceText;
            }
            if (low == null || price.compareTo(low) < 0) {
                low = price;
                lowText = priceText;
            }
            priceScale = Math.max(priceScale, Math.max(price.scale(), 0));
            volume = volume.add(amount);
            quoteVolume = quoteVolume.add(price.multiply(amount));
            if (side == Side.BUY) {
                buyVolume = buyVolume.add(amount);
            } else if (side == Side.SELL) {
                sellVolume = sellVolume.add(amount);
            }
            trades++;
        }

        BigDecimal vwap() {
            if (volume.signum() == 0) {
                return null;
            }
            return quoteVolume.divide(volume, priceScale + 8, java.math.RoundingMode.HALF_EVEN);
        }
    }
}

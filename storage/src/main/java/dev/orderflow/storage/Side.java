package dev.orderflow.storage;

import java.util.Optional;

/** Buy or sell: {@code order_type} of an order, {@code type} of a trade (the taker's side); 0 buy, 1 sell. */
public enum Side {
    BUY("buy"),
    SELL("sell");

    private final String apiName;

    Side(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    public static Optional<Side> fromApiName(String name) {
        for (Side s : values()) {
            if (s.apiName.equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** 0 → buy, 1 → sell (as number or string); anything else → null. */
    public static Side fromWire(String code) {
        if (code == null) {
            return null;
        }
        return switch (code) {
            case "0" -> BUY;
            case "1" -> SELL;
            default -> null;
        };
    }
}

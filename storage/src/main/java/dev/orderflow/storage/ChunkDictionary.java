package dev.orderflow.storage;

import java.util.Base64;

/**
 * The preset deflate dictionary of chunk payload version 2: the inflated layout ({@link ChunkCodec}) of a few
 * {@code live_trades} events, then of a few {@code live_orders} events, in the exchange's 2026 format. A small chunk's
 * object shapes and column names then cost a few bytes of back-references instead of their text. Frozen: payloads of
 * version 2 can only be read with exactly these bytes ({@code ChunkDictionaryTest} rebuilds them from its fixture and
 * compares); a different dictionary is a new payload version.
 */
final class ChunkDictionary {
    static final byte[] V2 = Base64.getDecoder().decode(String.join("",
            "AQMCAwRkYXRhB2NoYW5uZWwFZXZlbnQKAmlkCXRpbWVzdGFtcAZhbW91bnQKYW1vdW50X3N0cgVwcmljZQlwcmljZV9zdHIEdHlw",
            "ZQ5taWNyb3RpbWVzdGFtcAxidXlfb3JkZXJfaWQNc2VsbF9vcmRlcl9pZBAJQHJlY2VpdmVkDAVAdGltZQMABgUvZGF0YQYIL2Rh",
            "dGEvaWQKDy9kYXRhL3RpbWVzdGFtcAoML2RhdGEvYW1vdW50AxAvZGF0YS9hbW91bnRfc3RyEQsvZGF0YS9wcmljZQMPL2RhdGEv",
            "cHJpY2Vfc3RyDgovZGF0YS90eXBlBhQvZGF0YS9taWNyb3RpbWVzdGFtcA8SL2RhdGEvYnV5X29yZGVyX2lkDRMvZGF0YS9zZWxs",
            "X29yZGVyX2lkDQgvY2hhbm5lbBgGL2V2ZW50C/ilsuD63LAGoB+gHwAAAAMAAwADAAMBAwEDAQyCgKToAwwCDAIHgKTmsA0HAAcA",
            "Dw8PCAiA0w4ICIDI3wIICIDG/RQPDw8IApSQmgkIAuocCALpHAwADAIMAAfAjrLg+tywBgegHwegHwyCwOT/6pGgBwwiDCIMjMDk",
            "/+qRoAcMIgwiBRJsaXZlX3RyYWRlc19idGN1c2QGAAYABQV0cmFkZQYABgABCAIGBGRhdGEHY2hhbm5lbAVldmVudAhldmVudF9p",
            "ZAxwcmVfZXZlbnRfaWQMb3JkZXJfc291cmNlDQJpZAZpZF9zdHIKb3JkZXJfdHlwZQ1vcmRlcl9zdWJ0eXBlCGRhdGV0aW1lDm1p",
            "Y3JvdGltZXN0YW1wBmFtb3VudAphbW91bnRfc3RyDWFtb3VudF90cmFkZWQQYW1vdW50X2F0X2NyZWF0ZQVwcmljZQlwcmljZV9z",
            "dHIOaXNfbGlxdWlkYXRpb24WCUByZWNlaXZlZBQFQHRpbWUIABAFL2RhdGEQCC9kYXRhL2lkCAwvZGF0YS9pZF9zdHIXEC9kYXRh",
            "L29yZGVyX3R5cGUQEy9kYXRhL29yZGVyX3N1YnR5cGUQDi9kYXRhL2RhdGV0aW1lFBQvZGF0YS9taWNyb3RpbWVzdGFtcBwML2Rh",
            "dGEvYW1vdW50DBAvZGF0YS9hbW91bnRfc3RyLxMvZGF0YS9hbW91bnRfdHJhZGVkFBYvZGF0YS9hbW91bnRfYXRfY3JlYXRlEAsv",
            "ZGF0YS9wcmljZRgPL2RhdGEvcHJpY2Vfc3RyIhQvZGF0YS9pc19saXF1aWRhdGlvbggIL2NoYW5uZWwiBi9ldmVudDcJL2V2ZW50",
            "X2lkKQ0vcHJlX2V2ZW50X2lkFQ0vb3JkZXJfc291cmNlGaiZseD63LAG0A+gHwDQD6AfANAPAAAAAAAAAAADAAMAAwADAAMAAwAD",
            "AAMAAwEDAQMBAwEDAQMBAwEDAQ8PDw8PDw8PB4LA5P/qkaAHByIHIgciByIHIgciByIMAAwCDAEMAgwBDAAMAgwBDAgMAgwBDAIM",
            "AAwBDAAMAgeApOawDQcABwAHAAcABwAHAAcAB/CBseD63LAGB9APB6AfBwAH0A8HoB8HAAfQDw8PDw8PDQMwLjAPDwgIgMLXLwgI",
            "8efALggI8obVFggI8YbVFggI8t2hcQgI/7e4cggI4NwqCAig241yBwAHABAHBwAHAAgIgOHrFwcABwAQBxAHEAcQBxAHEAcQBxAH",
            "Dw8PDw0HOTY0OTguMA8PDQc5NjQ5OC4wCAKUkJoJCALqHAgC6RwIAuocCALtMggChBYIAqwtCAKvQwICAgICAgICBRJsaXZlX29y",
            "ZGVyc19idGN1c2QGAAYABgAGAAYABgAGAAUNb3JkZXJfY3JlYXRlZAYABQ1vcmRlcl9jaGFuZ2VkBQ1vcmRlcl9kZWxldGVkBgAG",
            "AgYABgIKwICAkCAKgICAEAqAgIAQCoCAgBAKgICAEAqAgIAQCoCAgBAKgICAEAmw7JCc+qesBsCAgIAgCwsLCwsLCwUJb3JkZXJi",
            "b29rBgAGAAYABgAGAAYABgA="));

    private ChunkDictionary() {
    }
}

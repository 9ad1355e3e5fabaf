package dev.orderflow.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class QueryClientTest {
    @Test
    void shouldFollowTheNextLinkAmongOtherLinks() {
        assertEquals(Optional.of("/v1/events?pair=btcusd&cursor=AQ_x-9"), QueryClient.nextLink(List.of(
                "</v1/gaps?pair=btcusd>; rel=\"gaps\"", "</v1/events?pair=btcusd&cursor=AQ_x-9>; rel=\"next\"")));
    }

    @Test
    void shouldSeeTheLastPageWhenThereIsNoNextLink() {
        assertEquals(Optional.empty(), QueryClient.nextLink(List.of("</v1/gaps?pair=btcusd>; rel=\"gaps\"")));
        assertEquals(Optional.empty(), QueryClient.nextLink(List.of()));
    }
}

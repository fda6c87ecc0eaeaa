package io.relay.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryPageTest {
    private static HistoryPage page(String epoch, long top, long firstRetained) {
        return new HistoryPage(new Offset(epoch, top), firstRetained, List.of());
    }

    @Test
    void recoversWhenEverythingAfterTheOffsetIsRetained() {
        assertThat(page("e", 10, 1).canRecoverFrom(new Offset("e", 4), 100)).isTrue();
        assertThat(page("e", 10, 5).canRecoverFrom(new Offset("e", 4), 100)).isTrue();
        assertThat(page("e", 10, 1).canRecoverFrom(new Offset("e", 10), 100)).isTrue();
        assertThat(page("e", 0, 0).canRecoverFrom(new Offset("e", 0), 100)).isTrue();
    }

    @Test
    void neverRecoversPartially() {
        assertThat(page("e", 10, 6).canRecoverFrom(new Offset("e", 4), 100)).as("trimmed").isFalse();
        assertThat(page("e", 10, 0).canRecoverFrom(new Offset("e", 4), 100)).as("history gone").isFalse();
        assertThat(page("f", 10, 1).canRecoverFrom(new Offset("e", 4), 100)).as("other epoch").isFalse();
        assertThat(page("e", 10, 1).canRecoverFrom(new Offset("e", 11), 100)).as("from the future").isFalse();
        assertThat(page("e", 500, 1).canRecoverFrom(new Offset("e", 4), 100)).as("over the replay bound").isFalse();
    }

    @Test
    void aPositionAloneRecoversOnlyFromItself() {
        HistoryPage position = HistoryPage.positionOnly(new Offset("e", 10));
        assertThat(position.entries()).isEmpty();
        assertThat(position.canRecoverFrom(new Offset("e", 10), 100)).isTrue();
        assertThat(position.canRecoverFrom(new Offset("e", 9), 100)).as("its entries were not read").isFalse();
    }
}

package dev.tandem.server.ops.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Policy;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What every limits store must do, written once and run on each (in memory, PostgreSQL), on a clock moved by hand. */
abstract class RateLimitsContract {
    /** New limits on {@code clock}, with nothing counted yet. */
    abstract RateLimits limits(TimeMeter clock);

    /** Sets what key {@code keyId} has spent, as the ledger would have counted it. */
    abstract void spent(String keyId, double usd);

    /**
     * A clock the test moves by hand; it starts at the wall clock's now (buckets shared through a
     * database count time in epoch milliseconds) and counts as wall-clock based.
     */
    static final class ManualTime implements TimeMeter {
        final AtomicLong nanos = new AtomicLong(System.currentTimeMillis() * 1_000_000L);

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }

    static Caller key(Integer rpm, Integer tpm, Integer concurrent) {
        return new Caller("key_1", null, new Caller.Limits(List.of(), rpm, tpm, concurrent, null));
    }

    @Test
    void requestsPerMinuteRefuseWithRetryAfterThenRecover() {
        ManualTime time = new ManualTime();
        RateLimits limits = limits(time);
        Caller k = key(2, null, null);
        assertThat(limits.admit(k, false)).isInstanceOf(RateLimits.Admission.Admitted.class);
        assertThat(limits.admit(k, false)).isInstanceOf(RateLimits.Admission.Admitted.class);

        RateLimits.Admission third = limits.admit(k, false);
        assertThat(third).isInstanceOf(RateLimits.Admission.Refused.class);
        LimitExceeded why = ((RateLimits.Admission.Refused) third).why();
        assertThat(why.limit()).isEqualTo("rpm");
        // 2 per minute refill greedily: one request every 30 s
        assertThat(why.retryAfter()).isEqualTo(Duration.ofSeconds(30));

        time.advance(Duration.ofSeconds(30));
        assertThat(limits.admit(k, false)).isInstanceOf(RateLimits.Admission.Admitted.class);
    }

    @Test
    void tokensAreChargedAfterTheFactAndADebtRefusesUntilRefilled() {
        ManualTime time = new ManualTime();
        RateLimits limits = limits(time);
        Caller k = key(null, 600, null);
        // a request that used 1200 tokens puts the key 600 tokens into debt
        ((RateLimits.Admission.Admitted) limits.admit(k, false)).permit().release(1200);

        RateLimits.Admission refused = limits.admit(k, false);
        assertThat(refused).isInstanceOf(RateLimits.Admission.Refused.class);
        assertThat(((RateLimits.Admission.Refused) refused).why().limit()).isEqualTo("tpm");
        // 600 debt + 1 token at 10 tokens/s
        assertThat(((RateLimits.Admission.Refused) refused).why().retryAfter().toSeconds()).isEqualTo(61);

        time.advance(Duration.ofSeconds(61));
        assertThat(limits.admit(k, false)).isInstanceOf(RateLimits.Admission.Admitted.class);
    }

    @Test
    void concurrentRequestsAreBoundedAndReleasedOnce() {
        RateLimits limits = limits(new ManualTime());
        Caller k = key(null, null, 1);
        RateLimits.Permit p = ((RateLimits.Admission.Admitted) limits.admit(k, false)).permit();
        assertThat(limits.admit(k, false)).isInstanceOf(RateLimits.Admission.Refused.class);
        p.release(0);
        p.release(0); // a second release must not open a second slot
        RateLimits.Permit q = ((RateLimits.Admission.Admitted) limits.admit(k, false)).permit();
        assertThat(limits.admit(k, false)).isInstanceOf(RateLimits.Admission.Refused.class);
        q.release(0);
    }

    @Test
    void aSpentBudgetRefusesAKeyWithoutALocalModelAndNarrowsTheOthers() {
        RateLimits limits = limits(new ManualTime());
        Caller.Limits withBudget = new Caller.Limits(List.of(), 10, null, null, 1.0);
        Caller anyModel = new Caller("key_b", null, withBudget);
        Caller remoteOnly = new Caller("key_b", Policy.REMOTE_ONLY, withBudget);
        // Given a key under its budget: admitted, remote models open
        spent("key_b", 0.99);
        assertThat(((RateLimits.Admission.Admitted) limits.admit(anyModel, true)).budgetSpent()).isFalse();

        // When it reaches its budget
        spent("key_b", 1.0);
        // Then a key whose policy allows no local model is refused by the budget, taking no request
        assertThat(((RateLimits.Admission.Refused) limits.admit(remoteOnly, true)).why().limit()).isEqualTo("budget");
        // and any other is admitted with the budget spent (kept to the local model)
        assertThat(((RateLimits.Admission.Admitted) limits.admit(anyModel, true)).budgetSpent()).isTrue();
        // and token counting, which spends nothing, does not look at the budget
        assertThat(((RateLimits.Admission.Admitted) limits.admit(remoteOnly, false)).budgetSpent()).isFalse();
        // 3 requests taken of 10: the refusal took none
        for (int i = 0; i < 7; i++) {
            assertThat(limits.admit(anyModel, false)).isInstanceOf(RateLimits.Admission.Admitted.class);
        }
        assertThat(((RateLimits.Admission.Refused) limits.admit(anyModel, false)).why().limit()).isEqualTo("rpm");
    }

    @Test
    void refusedByRpmDoesNotLeakAConcurrencySlot() {
        RateLimits limits = limits(new ManualTime());
        Caller k = key(1, null, 1);
        ((RateLimits.Admission.Admitted) limits.admit(k, false)).permit().release(0);
        assertThat(((RateLimits.Admission.Refused) limits.admit(k, false)).why().limit()).isEqualTo("rpm");
        assertThat(((RateLimits.Admission.Refused) limits.admit(k, false)).why().limit()).isEqualTo("rpm");
    }
}

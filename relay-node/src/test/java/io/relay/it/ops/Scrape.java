package io.relay.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.relay.testing.Http;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One {@code GET /metrics} of a node, read the way Prometheus would: samples by name and labels. */
public final class Scrape {
    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    /** Scrapes {@code metricsUri}; fails the test unless it answers 200 in the Prometheus text format. */
    public static Scrape of(URI metricsUri) {
        Http.Response response = Http.get(metricsUri);
        assertThat(response.status()).as("GET %s", metricsUri).isEqualTo(200);
        return new Scrape(response.body());
    }

    /** The sample of {@code name} with no labels, or with any labels; 0 when absent. */
    public double value(String name) {
        return sample(Pattern.quote(name) + "(?:\\{[^}]*\\})?");
    }

    /** The sample of {@code name} whose labels include {@code label="value"}; 0 when absent. */
    public double value(String name, String label, String value) {
        return sample(Pattern.quote(name) + "\\{[^}]*\\b" + label + "=\"" + Pattern.quote(value) + "\"[^}]*\\}");
    }

    /** True when a sample of {@code name} (any labels) is there. */
    public boolean has(String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ").matcher(text).find();
    }

    public String text() {
        return text;
    }

    private double sample(String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+|NaN)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}

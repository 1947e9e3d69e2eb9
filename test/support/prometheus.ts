import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from 'parse-prometheus-text-format';
import { metricsRegistry } from '@shop/service-kit';

/**
 * A scrape as Prometheus reads it: parsed by a real text-format parser (which throws on a
 * malformed line), then looked up by metric name and labels.
 */
export interface Scrape {
  families: PrometheusFamily[];
  /** The metric's type, or undefined when the scrape lacks it. */
  type(name: string): PrometheusFamily['type'] | undefined;
  /** A counter's or gauge's value summed over the series whose labels include `labels`; 0 when there is none. */
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's observation count summed over the series whose labels include `labels`; 0 when there is none. */
  count(name: string, labels?: Record<string, string>): number;
  /** Every series of a counter or gauge (each one's labels and value). */
  samples(name: string): PrometheusSample[];
  /** Every series in the scrape, each sample line of a histogram as one of its own. */
  series(): PrometheusSample[];
}

export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  // parse-prometheus-text-format 1.1 folds every series of a histogram into one, dropping their
  // labels. Prometheus itself stores a histogram as plain series (`<name>_count{…}`, …), so
  // histograms are read that way: the same text parsed again without their TYPE lines, where each
  // sample line stays a labelled sample of its own name.
  const series = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, ''));
  const samplesIn = (parsed: PrometheusFamily[], name: string) => parsed.filter((family) => family.name === name).flatMap((family) => family.metrics);
  const sum = (samples: PrometheusSample[], labels: Record<string, string>) =>
    samples
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))
      // Several series can match a partial label set: they add up, as `sum` would in PromQL.
      .reduce((total, sample) => total + Number(sample.value ?? 0), 0);
  return {
    families,
    type: (name) => families.find((family) => family.name === name)?.type,
    value: (name, labels = {}) => sum(samplesIn(families, name), labels),
    count: (name, labels = {}) => sum(samplesIn(series, `${name}_count`), labels),
    samples: (name) => samplesIn(families, name),
    series: () => series.flatMap((family) => family.metrics),
  };
}

/** GETs `url` (a service's /metrics) and parses it. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return parseScrape(await response.text());
}

/** A counter's or gauge's value in this process's own registry (the services a stack runs in it), summed over the series whose labels include `labels`. */
export async function registeredValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  return parseScrape(await metricsRegistry.metrics()).value(name, labels);
}

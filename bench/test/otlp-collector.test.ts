import { describe, expect, it } from 'vitest';
import { tallyBetween } from '../collector.js';
import { countJsonSpans, countProtobufSpans, tallyKey } from '../otlp-collector.js';

/** Just enough of a protobuf encoder to build an OTLP export by hand: varints, length-delimited and fixed64 fields. */
const varint = (value: number): number[] => (value < 0x80 ? [value] : [(value % 0x80) | 0x80, ...varint(Math.floor(value / 0x80))]);
const message = (field: number, ...content: number[][]): number[] => {
  const body = content.flat();
  return [...varint(field * 8 + 2), ...varint(body.length), ...body];
};
const text = (field: number, value: string) => message(field, [...Buffer.from(value)]);
const number = (field: number, value: number) => [...varint(field * 8), ...varint(value)];
const fixed64 = (field: number) => [...varint(field * 8 + 1), 1, 2, 3, 4, 5, 6, 7, 8];

/** A Span with the fields the SDK writes most: ids, name, kind, times, an attribute. */
const span = (name: string) =>
  message(2, message(1, Array(16).fill(7) as number[]), message(2, Array(8).fill(9) as number[]), text(5, name), number(6, 2), fixed64(7), fixed64(8), message(9, text(1, 'http.route'), message(2, text(1, '/graphql'))));
/** ScopeSpans: the instrumentation scope, its spans, a schema URL. */
const scope = (...spans: number[][]) => message(2, message(1, text(1, '@opentelemetry/instrumentation-http')), ...spans, text(3, 'https://opentelemetry.io/schemas/1.0'));
/** ResourceSpans: the resource (service.name), its scopes. */
const resource = (...scopes: number[][]) => message(1, message(1, message(1, text(1, 'service.name'), message(2, text(1, 'gateway')))), ...scopes);

describe('OTLP collector', () => {
  it('counts the spans of a protobuf export across resources and scopes, skipping every other field', () => {
    const body = Uint8Array.from([...resource(scope(span('POST'), span('graphql.parse')), scope(span('GET'))), ...resource(scope(span('a'), span('b'), span('c')))]);
    expect(countProtobufSpans(body)).toBe(6);
    expect(countProtobufSpans(new Uint8Array())).toBe(0);
  });

  it('refuses a protobuf body that is cut short or not OTLP', () => {
    const body = Uint8Array.from(resource(scope(span('POST'))));
    expect(() => countProtobufSpans(body.subarray(0, body.length - 3))).toThrow(/truncated/);
    expect(() => countProtobufSpans(Buffer.from('{"resourceSpans":[]}'))).toThrow();
  });

  it('counts the spans of a JSON export', () => {
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }, { spans: [{}] }, {}] }, {}] });
    expect(countJsonSpans(body)).toBe(3);
    expect(countJsonSpans('{}')).toBe(0);
  });

  it('tallies each traced target under the path it exports to', () => {
    expect(tallyKey('/ours-traced/v1/traces')).toBe('ours-traced');
    expect(tallyKey('/v1/traces')).toBe('');
    expect(tallyKey('/v1/metrics')).toBeUndefined();
    expect(tallyKey('/a/b/v1/traces')).toBeUndefined();
  });

  it('gives what arrived between two readings, nothing read yet counting as nothing', () => {
    expect(tallyBetween({ exports: 2, bytes: 100, spans: 10 }, { exports: 5, bytes: 400, spans: 40 })).toEqual({ exports: 3, bytes: 300, spans: 30 });
    expect(tallyBetween(undefined, { exports: 1, bytes: 50, spans: 5 })).toEqual({ exports: 1, bytes: 50, spans: 5 });
    expect(tallyBetween(undefined, undefined)).toEqual({ exports: 0, bytes: 0, spans: 0 });
  });
});

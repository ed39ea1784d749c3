import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  QuantityError,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  isInteger,
  parseQuantity,
  quantityMilliValue,
  quantityValue,
  roundUpQuantity,
} from './quantity.ts';

test('canonical forms as resource.Quantity serialises them', () => {
  const cases: [string | number, string][] = [
    ['500m', '500m'],
    ['0.5', '500m'],
    ['.5', '500m'],
    ['1.5', '1500m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['2M', '2M'],
    ['1e3', '1e3'],
    ['12e6', '12e6'],
    ['1e-7', '100e-9'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['1024Ki', '1Mi'],
    ['1000Ki', '1000Ki'],
    ['0.5Ki', '512'],
    ['-1', '-1'],
    ['-0.5', '-500m'],
    ['+5', '5'],
    ['0', '0'],
    ['-0', '0'],
    ['1n', '1n'],
    ['0.0000000001', '1n'],
    [0.25, '250m'],
    [3, '3'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `canonical(${JSON.stringify(input)})`);
});

test('bad quantities give upstream error texts', () => {
  const format = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  assert.throws(() => parseQuantity('abc'), { message: format });
  assert.throws(() => parseQuantity(''), { message: format });
  assert.throws(() => parseQuantity('1.2.3'), { message: format });
  assert.throws(() => parseQuantity('1K'), (e: unknown) => e instanceof QuantityError && e.message === "unable to parse quantity's suffix");
  assert.throws(() => parseQuantity('1ki'), { message: "unable to parse quantity's suffix" });
});

test('compare aligns decimal and binary values exactly', () => {
  assert.equal(compareQuantities('1Gi', '1073741824'), 0);
  assert.equal(compareQuantities('1G', '1Gi'), -1);
  assert.equal(compareQuantities('500m', '0.5'), 0);
  assert.equal(compareQuantities('1', '999m'), 1);
  assert.equal(compareQuantities('-1', '0'), -1);
  assert.equal(compareQuantities(parseQuantity('2k'), 1999), 1);
});

test('integer, value, milli value and rounding up', () => {
  assert.equal(isInteger(parseQuantity('3')), true);
  assert.equal(isInteger(parseQuantity('1500m')), false);
  assert.equal(quantityValue(parseQuantity('1500m')), 2n);
  assert.equal(quantityValue(parseQuantity('-1500m')), -2n);
  assert.equal(quantityMilliValue(parseQuantity('1.5')), 1500n);
  assert.equal(formatQuantity(roundUpQuantity(parseQuantity('0.0001'), -3)), '1m');
  assert.equal(formatQuantity(roundUpQuantity(parseQuantity('1.0001Gi'), -3)), '1073849198183m');
});

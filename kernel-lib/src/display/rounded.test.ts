import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rounded } from './rounded';

test('rounded: fractions to 4 significant digits at any depth, whole numbers, integer parts and the rest unchanged', () => {
  const rows = [
    {
      name: 'latex',
      parameters: 3395680,
      megabytes: 6.872545,
      valLoss: 0.6858412603537242,
      tiny: 0.000123456,
      big: 12345.678,
    },
    { name: 'linux', parameters: 3418729, megabytes: 6.911411, valLoss: 1.6275060455004373, tiny: -0.5, big: NaN },
  ];
  assert.deepEqual(rounded(rows), [
    { name: 'latex', parameters: 3395680, megabytes: 6.873, valLoss: 0.6858, tiny: 0.0001235, big: 12346 },
    { name: 'linux', parameters: 3418729, megabytes: 6.911, valLoss: 1.628, tiny: -0.5, big: NaN },
  ]);
  assert.deepEqual(rounded({ a: { b: [1 / 3] } }, 2), { a: { b: [0.33] } });
  assert.equal(rounded(2 / 3), 0.6667);
  const date = new Date(0);
  assert.equal(rounded({ date }).date, date, 'objects that are not plain are left alone');
  assert.equal(rows[0].valLoss, 0.6858412603537242, 'the rows given are not changed');
});

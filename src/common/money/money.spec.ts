import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { JsonNumberText } from '../http/json-number-text';
import { formatCents, parseAmount } from './money';
import { IsMoneyAmount, MoneyAmount } from './money-amount.decorator';

describe('parseAmount', () => {
  it.each<[unknown, number]>([
    [0.01, 1],
    ['0.01', 1],
    [1, 100],
    ['1', 100],
    [10.1, 1010],
    ['10.10', 1010],
    ['10.5', 1050],
    [12.34, 1234],
    [0.1 + 0.7, NaN], // 0.7999999999999999: not two decimal places
    [19.99, 1999],
    [1e2, 10000],
    [1000000, 100_000_000],
    ['1000000.00', 100_000_000],
    ['007.50', 750],
    [new JsonNumberText('1.50'), 150],
    [new JsonNumberText('1000000.00'), 100_000_000],
  ])('parses %p', (input, cents) => {
    const parsed = parseAmount(input);
    if (Number.isNaN(cents)) expect(parsed.ok).toBe(false);
    else expect(parsed).toEqual({ ok: true, cents });
  });

  it.each<[string, unknown]>([
    ['1e-3', 1e-3],
    ['"1.005"', '1.005'],
    ['1.005 (number)', 1.005],
    ['-1', -1],
    ['"-1"', '-1'],
    ['0', 0],
    ['"0.00"', '0.00'],
    ['-0', -0],
    ['"abc"', 'abc'],
    ['1e21', 1e21],
    ['"1e3"', '1e3'],
    ['1e-7', 1e-7],
    ['NaN', NaN],
    ['"NaN"', 'NaN'],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['"Infinity"', 'Infinity'],
    ['true', true],
    ['false', false],
    ['[]', []],
    ['[1]', [1]],
    ['{}', {}],
    ['{value: 1}', { value: 1 }],
    ['null', null],
    ['undefined', undefined],
    ['""', ''],
    ['" 1"', ' 1'],
    ['"1 "', '1 '],
    ['"+1"', '+1'],
    ['".5"', '.5'],
    ['"1."', '1.'],
    ['"1,00"', '1,00'],
    ['"0x10"', '0x10'],
    ['1000000.01', 1000000.01],
    ['"1000000.01"', '1000000.01'],
    ['10n', BigInt(10)],
    ['1e2 (JSON source)', new JsonNumberText('1e2')],
    ['1.999999999999999999 (JSON source)', new JsonNumberText('1.999999999999999999')],
    ['999999.9999999999999 (JSON source)', new JsonNumberText('999999.9999999999999')],
  ])('rejects %s', (_label, input) => {
    expect(parseAmount(input).ok).toBe(false);
  });

  const MALFORMED = 'must be a number or a numeric string with at most 2 decimal places';
  const OUT_OF_RANGE = 'must be between 0.01 and 1000000.00';
  it.each<[string, unknown, string]>([
    ['-1', -1, OUT_OF_RANGE],
    ['"-0.50"', '-0.50', OUT_OF_RANGE],
    ['0', 0, OUT_OF_RANGE],
    ['"1000000.01"', '1000000.01', OUT_OF_RANGE],
    ['"abc"', 'abc', MALFORMED],
    ['"-abc"', '-abc', MALFORMED],
    ['"--1"', '--1', MALFORMED],
    ['"x12"', 'x12', MALFORMED],
    ['"1.005"', '1.005', MALFORMED],
  ])(
    'says why it rejects %s: a well-formed negative is out of range, not malformed',
    (_l, input, reason) => {
      expect(parseAmount(input)).toEqual({ ok: false, reason });
    },
  );
});

describe('formatCents', () => {
  it.each<[number, string]>([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [100, '1.00'],
    [1234, '12.34'],
    [100_000_000, '1000000.00'],
    [-1, '-0.01'],
    [-1234, '-12.34'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('formats %p as %p', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses non-integer cents', () => {
    expect(() => formatCents(1.5)).toThrow(new RangeError('not an integer number of cents: 1.5'));
    expect(() => formatCents(NaN)).toThrow(RangeError);
  });

  it('round-trips every cent value of a sample through parse and format', () => {
    for (let cents = 1; cents <= 100_000_000; cents += 99_991) {
      expect(parseAmount(formatCents(cents))).toEqual({ ok: true, cents });
    }
  });
});

class AmountDto {
  @IsMoneyAmount()
  amount!: MoneyAmount;
}

function validate(body: Record<string, unknown>) {
  const dto = plainToInstance(AmountDto, body);
  return { dto, errors: validateSync(dto) };
}

describe('@IsMoneyAmount', () => {
  it('turns a valid amount into integer cents', () => {
    const { dto, errors } = validate({ amount: '12.30' });
    expect(errors).toHaveLength(0);
    expect(dto.amount).toBeInstanceOf(MoneyAmount);
    expect(dto.amount.cents).toBe(1230);
  });

  it.each([1e-3, '1.005', -1, 0, 'abc', 1e21, NaN, Infinity, true, [], [5], {}, null])(
    'rejects %p with a message naming amount',
    (amount) => {
      const { errors } = validate({ amount });
      expect(errors).toHaveLength(1);
      expect(errors[0].property).toBe('amount');
      expect(Object.values(errors[0].constraints ?? {})[0]).toMatch(/^amount /);
    },
  );

  it('rejects a missing amount', () => {
    const { errors } = validate({});
    expect(errors[0].property).toBe('amount');
    expect(errors[0].constraints?.isMoneyAmount).toBe('amount is required');
  });
});

export * from './money';
export * from './money-amount.decorator';
export * from './quantity';
export * from './quantity.decorator';

export * from './money';
export * from './money-amount.decorator';

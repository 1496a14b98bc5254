export * from './client-rate-limit.hook';
export * from './money-rate-limit.decorator';
export * from './rate-limit.constants';
export * from './rate-limit.guard';
export * from './rate-limit.module';
export * from './rate-limit.storage';

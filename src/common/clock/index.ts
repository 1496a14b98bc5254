export { Clock, CLOCK, systemClock, type NowMs } from './clock';

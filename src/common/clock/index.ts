export { Clock, systemClock } from './clock';

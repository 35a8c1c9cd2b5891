export { closeOnSignals } from './graceful-shutdown';

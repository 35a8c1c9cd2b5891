export { Clock, SystemClock, FixedClock } from './clock';
export { SandboxClock, SANDBOX_CLOCK_KEY } from './sandbox-clock';
export { ClockModule } from './clock.module';

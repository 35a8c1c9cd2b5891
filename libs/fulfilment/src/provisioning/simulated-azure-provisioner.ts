import { Clock } from '@app/clock';
import {
  ProvisionedReservation,
  PermanentProvisioningError,
  ProvisionRequest,
  ReservationProvisioner,
  TransientProvisioningError,
} from './reservation-provisioner';

export interface SimulationSettings {
  latencyMs: number;
  transientFailureRate: number;
  permanentFailureRate: number;
  /** SKUs that always fail, for demos and tests: `Standard_L32s_v3=permanent,Standard_L16s_v3=transient`. */
  failingSkus: Map<string, 'permanent' | 'transient'>;
}

export function simulationSettings(env: {
  PROVISIONING_LATENCY_MS: number;
  PROVISIONING_TRANSIENT_FAILURE_RATE: number;
  PROVISIONING_PERMANENT_FAILURE_RATE: number;
  PROVISIONING_FAILING_SKUS?: string;
}): SimulationSettings {
  const failingSkus = new Map<string, 'permanent' | 'transient'>();
  for (const pair of (env.PROVISIONING_FAILING_SKUS ?? '').split(',').filter(Boolean)) {
    const [sku, kind] = pair.split('=');
    if (kind !== 'permanent' && kind !== 'transient')
      throw new Error('PROVISIONING_FAILING_SKUS takes sku=permanent|transient pairs');
    failingSkus.set(sku.toLowerCase(), kind);
  }
  return {
    latencyMs: env.PROVISIONING_LATENCY_MS,
    transientFailureRate: env.PROVISIONING_TRANSIENT_FAILURE_RATE,
    permanentFailureRate: env.PROVISIONING_PERMANENT_FAILURE_RATE,
    failingSkus,
  };
}

/**
 * Stands in for Azure: takes some time, sometimes fails. Idempotent by
 * reservation id, like the real API: a repeated request returns the first
 * result.
 */
export class SimulatedAzureProvisioner extends ReservationProvisioner {
  private readonly provisioned = new Map<string, ProvisionedReservation>();

  constructor(
    private readonly settings: SimulationSettings,
    /** Azure's time, as the deployment sees it: the sandbox clock in an integration environment. */
    private readonly clock: Clock,
  ) {
    super();
  }

  async provision(request: ProvisionRequest): Promise<ProvisionedReservation> {
    const existing = this.provisioned.get(request.reservationId);
    if (existing) return existing;
    if (this.settings.latencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, this.settings.latencyMs * (0.5 + Math.random())));
    const forced = this.settings.failingSkus.get(request.armSkuName.toLowerCase());
    if (forced === 'permanent' || Math.random() < this.settings.permanentFailureRate) {
      throw new PermanentProvisioningError(
        '800017',
        `quantity not available: ${request.quantity} × ${request.armSkuName} in ${request.region}`,
      );
    }
    if (forced === 'transient' || Math.random() < this.settings.transientFailureRate) {
      throw new TransientProvisioningError(
        `provisioning backend busy for ${request.armSkuName} in ${request.region}; try again`,
      );
    }
    const reservation = { reservationId: request.reservationId, effectiveDate: await this.clock.now() };
    this.provisioned.set(request.reservationId, reservation);
    return reservation;
  }
}

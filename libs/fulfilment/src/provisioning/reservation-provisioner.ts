import { Scope, Term } from '@app/domain';

export interface ProvisionRequest {
  reservationId: string;
  orderId: string;
  lineNumber: number;
  armSkuName: string;
  region: string;
  quantity: number;
  term: Term;
  scope: Scope;
}

export interface ProvisionedReservation {
  reservationId: string;
  /** When the reservation starts to apply. */
  effectiveDate: string;
}

/** Worth retrying: throttling, timeouts, a backend hiccup. */
export class TransientProvisioningError extends Error {
  readonly name = 'TransientProvisioningError';
}

/** Retrying cannot help: inventory gone, SKU withdrawn (Partner Center 800010, 800017). */
export class PermanentProvisioningError extends Error {
  readonly name = 'PermanentProvisioningError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The port to Azure's reservation provisioning. Must be idempotent by
 * reservationId: asked again for the same id, it answers the same reservation.
 */
export abstract class ReservationProvisioner {
  abstract provision(request: ProvisionRequest): Promise<ProvisionedReservation>;
}

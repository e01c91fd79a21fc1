/**
 * Link loss models, decided per packet as it reaches the far end of a link direction.
 *  - Bernoulli: each packet lost with probability `loss`, independently.
 *  - Gilbert–Elliott (`burstLoss`): a two-state Markov chain stepped once per packet; the packet
 *    is lost with the loss probability of the state it meets, then the chain moves on (as Linux
 *    netem's gemodel). Average loss: πG·lossGood + πB·lossBad with πB = p/(p + r),
 *    p = pGoodToBad, r = pBadToGood; mean burst (bad period) length 1/r packets.
 * Both may be set; a packet is lost if either model loses it. Each model draws from its own named
 * stream, on every packet, so one model's outcome never shifts the other's numbers.
 */
import { Rng } from '../sim/rng.ts';
import type { BurstLossDef } from './topology-def.ts';

export class LossModel {
  private readonly bernoulli: Rng | null;
  private readonly burst: Rng | null;
  private bad = false;

  constructor(
    private readonly rate: number,
    private readonly ge: BurstLossDef | undefined,
    seed: number,
    streamPrefix: string,
  ) {
    this.bernoulli = rate > 0 ? new Rng(seed, `${streamPrefix}:loss`) : null;
    this.burst = ge !== undefined ? new Rng(seed, `${streamPrefix}:burst`) : null;
  }

  /** True when no packet can ever be lost (the link skips the call). */
  get lossless(): boolean {
    return this.bernoulli === null && this.burst === null;
  }

  /** Decides the fate of the next packet: true means lost. */
  lose(): boolean {
    let lost = false;
    if (this.burst !== null) {
      const ge = this.ge!;
      const p = this.bad ? ge.lossBad : ge.lossGood;
      if (this.burst.float() < p) lost = true;
      if (this.burst.float() < (this.bad ? ge.pBadToGood : ge.pGoodToBad)) this.bad = !this.bad;
    }
    if (this.bernoulli !== null && this.bernoulli.float() < this.rate) lost = true;
    return lost;
  }

  /** The long-run loss probability this model produces. */
  static stationaryLoss(rate: number, ge: BurstLossDef | undefined): number {
    let geLoss = 0;
    if (ge !== undefined) {
      const denom = ge.pGoodToBad + ge.pBadToGood;
      const piBad = denom === 0 ? 0 : ge.pGoodToBad / denom;
      geLoss = (1 - piBad) * ge.lossGood + piBad * ge.lossBad;
    }
    return 1 - (1 - geLoss) * (1 - rate);
  }
}

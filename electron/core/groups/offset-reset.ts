import type { Admin } from 'kafkajs';
import type { ArgsOf } from '../../../shared/console-api/contract.js';
import type { OffsetResetPartition, OffsetResetPlan, ResetTarget } from '../../../shared/console-api/group-types.js';
import { SealpostError } from '../../../shared/errors/index.js';
import { offsetsAt, settleBoth, watermarks } from '../topics/topic-admin.js';
import { activeGroupMessage, GROUP_ERRORS, groupActive } from './errors.js';

export type OffsetResetArgs = ArgsOf<'groups:reset-preview'>;

/** Group states in which nobody consumes, so committed offsets stay as written (Kafka's own rule for resets). */
const IDLE_STATES = new Set(['Empty', 'Dead']);

/** Where each partition would go, before clamping to what the partition holds. */
async function targetsFor(admin: Admin, topic: string, to: ResetTarget, wm: Map<number, { low: number; high: number }>): Promise<Map<number, number>> {
  switch (to.kind) {
    case 'earliest':
      return new Map([...wm].map(([p, w]) => [p, w.low]));
    case 'latest':
      return new Map([...wm].map(([p, w]) => [p, w.high]));
    case 'time':
      return offsetsAt(admin, topic, to.at);
    case 'offset':
      return new Map([...wm].map(([p]) => [p, Number(to.offset)]));
  }
}

/**
 * Computes a reset against the broker without writing anything: the group's state and members, and per
 * partition the committed offset, the new one and the lag before and after. An asked offset outside what a
 * partition holds goes to the nearest end (flagged `clamped`), as kafka-consumer-groups --reset-offsets does.
 */
export async function planOffsetReset(admin: Admin, args: OffsetResetArgs): Promise<OffsetResetPlan> {
  const [described, wm] = await settleBoth(admin.describeGroups([args.groupId]), watermarks(admin, args.topic));
  const missing = (args.partitions ?? []).filter((p) => !wm.has(p));
  if (missing.length) {
    throw new SealpostError(GROUP_ERRORS.noSuchPartition, `Topic ${args.topic} has no partition ${missing.join(', ')} (it has ${wm.size}).`, { status: 400 });
  }
  const [committed, targets] = await settleBoth(admin.fetchOffsets({ groupId: args.groupId, topics: [args.topic] }), targetsFor(admin, args.topic, args.to, wm));
  const committedOf = new Map((committed.find((t) => t.topic === args.topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  const chosen = new Set(args.partitions ?? wm.keys());
  const partitions: OffsetResetPartition[] = [...wm]
    .filter(([p]) => chosen.has(p))
    .sort(([a], [b]) => a - b)
    .map(([partition, { low, high }]) => {
      const c = committedOf.get(partition);
      const has = c !== undefined && c >= 0;
      const asked = targets.get(partition) ?? high;
      const target = Math.min(high, Math.max(low, asked));
      return {
        partition,
        committed: has ? String(c) : null,
        target: String(target),
        low: String(low),
        high: String(high),
        lagBefore: has ? Math.max(0, high - c) : high - low,
        lagAfter: high - target,
        clamped: target !== asked,
      };
    });
  const group = described.groups[0];
  const state = group?.state ?? 'Dead';
  const members = group?.members.length ?? 0;
  return {
    groupId: args.groupId,
    topic: args.topic,
    state,
    members,
    to: args.to,
    partitions,
    lagBefore: partitions.reduce((s, p) => s + p.lagBefore, 0),
    lagAfter: partitions.reduce((s, p) => s + p.lagAfter, 0),
    blocked: members > 0 || !IDLE_STATES.has(state) ? activeGroupMessage(args.groupId, members, state) : null,
    appliedAt: null,
  };
}

/**
 * Applies a reset: recomputed against the broker (never the renderer's copy of the preview), refused while
 * the group has active members, committed, then read back so the answer shows what Kafka now holds.
 */
export async function applyOffsetReset(admin: Admin, args: OffsetResetArgs, now: () => number = Date.now): Promise<OffsetResetPlan> {
  const plan = await planOffsetReset(admin, args);
  if (plan.blocked) throw groupActive(plan.groupId, plan.members, plan.state);
  try {
    await admin.setOffsets({ groupId: args.groupId, topic: args.topic, partitions: plan.partitions.map((p) => ({ partition: p.partition, offset: p.target })) });
  } catch (err) {
    // A consumer joined between the check and the commit: kafkajs refuses. Say what the group is now.
    if (/must have no running instances/.test(String((err as Error)?.message))) {
      const now = await admin.describeGroups([args.groupId]).then((d) => d.groups[0], () => undefined);
      throw groupActive(plan.groupId, now?.members.length ?? 0, now?.state ?? 'Unknown');
    }
    throw err;
  }
  const readBack = await admin.fetchOffsets({ groupId: args.groupId, topics: [args.topic] });
  const held = new Map((readBack.find((t) => t.topic === args.topic)?.partitions ?? []).map((p) => [p.partition, p.offset]));
  return { ...plan, partitions: plan.partitions.map((p) => ({ ...p, committed: held.get(p.partition) ?? p.committed })), appliedAt: now() };
}

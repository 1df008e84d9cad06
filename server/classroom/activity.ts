/**
 * What the teacher's dashboard shows of each learner: counts the lab keeps for their sessions
 * (`lab.sessionActivity`), grouped by technique, and how fast messages reach them. Counts only:
 * the classroom never reads a learner's capture.
 */
import type { Lab } from '../lab/index.ts';
import type { Class } from './class-model.ts';

/** Connections by technique. `polling` counts short polls (`time`, `news`) per second, since each is open only for a moment. */
export interface TechniqueCounts {
  polling: number;
  longPolling: number;
  comet: number;
  sse: number;
  websocket: number;
}

export interface LearnerActivity {
  id: number;
  name: string;
  lesson: string | null;
  /** Class channels open (0: the learner's page is closed). */
  online: number;
  open: TechniqueCounts;
  /** Messages delivered per second to the learner's lab readers, over the last interval. */
  rate: number;
  /** Messages delivered so far. */
  delivered: number;
  /** Lessons whose exercise check passed. */
  passed: string[];
}

export interface ClassActivity {
  learners: LearnerActivity[];
  totals: { joined: number; online: number; open: TechniqueCounts; rate: number; delivered: number };
}

/** Which technique each lab endpoint teaches (`send` is how any of them talks back, so it has none). */
const TECHNIQUE_OF: Readonly<Record<string, keyof TechniqueCounts>> = {
  poll: 'longPolling',
  stream: 'comet',
  sse: 'sse',
  ws: 'websocket',
  echo: 'websocket',
};
const SHORT_POLLS = ['time', 'news'];

const none = (): TechniqueCounts => ({ polling: 0, longPolling: 0, comet: 0, sse: 0, websocket: 0 });

export interface ActivityMeter {
  /** The activity of the class now; rates are over the time since the last call for it. */
  measure(cls: Class, now?: number): ClassActivity;
}

/** Measures classes from the lab's per-session counters. */
export function createActivityMeter(lab: Lab): ActivityMeter {
  /** Per class: the counters of each session at the last measure, to turn totals into rates. */
  const before = new WeakMap<
    Class,
    { time: number; sessions: Map<string, { shortPolls: number; delivered: number }> }
  >();

  return {
    measure(cls, now = Date.now()) {
      const last = before.get(cls);
      const seconds = last ? Math.max(0.001, (now - last.time) / 1000) : 0;
      const next = new Map<string, { shortPolls: number; delivered: number }>();
      const totals = { joined: cls.learners.size, online: 0, open: none(), rate: 0, delivered: 0 };
      const learners: LearnerActivity[] = [];

      for (const learner of cls.learners.values()) {
        const open = none();
        let delivered = 0;
        let newlyDelivered = 0;
        let newShortPolls = 0;
        for (const id of learner.sessions) {
          const activity = lab.sessionActivity(id);
          if (!activity) continue;
          for (const [endpoint, n] of Object.entries(activity.open)) {
            const technique = TECHNIQUE_OF[endpoint];
            if (technique) open[technique] += n;
          }
          const shortPolls = SHORT_POLLS.reduce((sum, e) => sum + (activity.started[e] ?? 0), 0);
          const seen = last?.sessions.get(id);
          if (seen) {
            newShortPolls += Math.max(0, shortPolls - seen.shortPolls);
            newlyDelivered += Math.max(0, activity.delivered - seen.delivered);
          } else if (last) {
            // A session that joined since the last measure: all it did happened in this window.
            newShortPolls += shortPolls;
            newlyDelivered += activity.delivered;
          }
          delivered += activity.delivered;
          next.set(id, { shortPolls, delivered: activity.delivered });
        }
        open.polling = seconds ? round(newShortPolls / seconds) : 0;
        const rate = seconds ? round(newlyDelivered / seconds) : 0;
        learners.push({
          id: learner.id,
          name: learner.name,
          lesson: learner.lesson,
          online: learner.online,
          open,
          rate,
          delivered,
          passed: [...learner.passed],
        });
        if (learner.online > 0) totals.online += 1;
        for (const k of Object.keys(open) as Array<keyof TechniqueCounts>) totals.open[k] += open[k];
        totals.rate += rate;
        totals.delivered += delivered;
      }
      totals.open.polling = round(totals.open.polling);
      totals.rate = round(totals.rate);
      before.set(cls, { time: now, sessions: next });
      return { learners, totals };
    },
  };
}

/** One decimal: rates are shown, not summed again. */
function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Top-k selection: the k best keys of a scan without sorting every match. */

/** The k best (score, id) pairs, kept in a min-heap so a scan never sorts all its matches. */
export class TopK {
	private scores: number[] = [];
	private ids: number[] = [];
	constructor(private readonly k: number) {}
	/** How many are kept now. */
	get size(): number {
		return this.scores.length;
	}
	/** Higher score wins; on a tie the lower id (earlier path) wins. */
	private better(sa: number, ia: number, sb: number, ib: number): boolean {
		return sa > sb || (sa === sb && ia < ib);
	}
	/** Whether a candidate with this score would enter the list now. */
	admits(score: number, id: number): boolean {
		return this.k > 0 && (this.scores.length < this.k || this.better(score, id, this.scores[0]!, this.ids[0]!));
	}
	offer(score: number, id: number): void {
		if (this.k === 0) return;
		const n = this.scores.length;
		if (n < this.k) {
			this.scores.push(score);
			this.ids.push(id);
			this.up(n);
		} else if (this.better(score, id, this.scores[0]!, this.ids[0]!)) {
			this.scores[0] = score;
			this.ids[0] = id;
			this.down(0);
		}
	}
	private up(i: number): void {
		const scores = this.scores;
		const ids = this.ids;
		const s = scores[i]!;
		const id = ids[i]!;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!this.better(scores[parent]!, ids[parent]!, s, id)) break;
			scores[i] = scores[parent]!;
			ids[i] = ids[parent]!;
			i = parent;
		}
		scores[i] = s;
		ids[i] = id;
	}
	private down(i: number): void {
		const scores = this.scores;
		const ids = this.ids;
		const n = scores.length;
		const s = scores[i]!;
		const id = ids[i]!;
		for (;;) {
			const left = 2 * i + 1;
			if (left >= n) break;
			// The worse child (the heap keeps the worst entry on top).
			let child = left;
			const right = left + 1;
			if (right < n && this.better(scores[left]!, ids[left]!, scores[right]!, ids[right]!)) child = right;
			if (!this.better(s, id, scores[child]!, ids[child]!)) break;
			scores[i] = scores[child]!;
			ids[i] = ids[child]!;
			i = child;
		}
		scores[i] = s;
		ids[i] = id;
	}
	sorted(): Array<{score: number; id: number}> {
		return this.scores.map((score, i) => ({score, id: this.ids[i]!})).sort((a, b) => b.score - a.score || a.id - b.id);
	}
}

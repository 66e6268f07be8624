import type { PathElement } from './path-element.ts';

/**
 * A set of field paths, kept as a tree of path elements as structured-merge-diff keeps it:
 * a node is in the set when `member` is true, and a path's prefixes are in the set only if
 * they are members themselves (owning `.spec.replicas` is not owning `.spec`). Nodes
 * with neither membership nor children are never kept, so an empty set has no children.
 * A set is built (`insert`, `attach`) and then only read: the operations return new sets,
 * which share subtrees with their operands, and an operand itself when the result equals
 * it. Most writes touch a few paths of large sets, so an operation costs what the smaller
 * operand holds, and a manager's set that a write leaves alone stays the very same object,
 * whose encoding is then reused as it is (fields-v1.ts).
 */
export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();
  /** This set's FieldsV1 encoding, once worked out or decoded from (fields-v1.ts): a set does not change once read. */
  encoded?: object;

  static of(...paths: PathElement[][]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  isEmpty(): boolean {
    return !this.member && this.children.size === 0;
  }

  insert(path: readonly PathElement[], from = 0): void {
    if (from === path.length) {
      this.member = true;
      return;
    }
    let next = this.children.get(path[from]);
    if (!next) this.children.set(path[from], (next = new FieldSet()));
    next.insert(path, from + 1);
  }

  /** Adds `set` as the subtree at `element`, unless it is empty (an empty node is never kept). */
  attach(element: PathElement, set: FieldSet): void {
    if (!set.isEmpty()) this.children.set(element, set);
  }

  union(other: FieldSet): FieldSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const [larger, smaller] = this.children.size >= other.children.size ? [this, other] : [other, this];
    const member = this.member || other.member;
    let out: FieldSet | undefined;
    for (const [element, child] of smaller.children) {
      const theirs = larger.children.get(element);
      const both = theirs ? theirs.union(child) : child;
      if (both === theirs) continue;
      out ??= larger.copy();
      out.children.set(element, both);
    }
    if (!out && member === larger.member) return larger;
    out ??= larger.copy();
    out.member = member;
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    if (other === this) return this;
    const out = new FieldSet();
    if (this.isEmpty() || other.isEmpty()) return out;
    out.member = this.member && other.member;
    const [larger, smaller] = this.children.size >= other.children.size ? [this, other] : [other, this];
    for (const [element, child] of smaller.children) {
      const theirs = larger.children.get(element);
      if (theirs) out.attach(element, child.intersection(theirs));
    }
    return out;
  }

  /** The paths of this set that are not in `other` (exact paths: a member of `other` does not take its descendants). */
  difference(other: FieldSet): FieldSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    if (other === this) return new FieldSet();
    const member = this.member && !other.member;
    let out: FieldSet | undefined;
    const fewer = other.children.size <= this.children.size;
    for (const element of (fewer ? other : this).children.keys()) {
      const mine = this.children.get(element);
      const theirs = other.children.get(element);
      if (!mine || !theirs) continue;
      const rest = mine.difference(theirs);
      if (rest === mine) continue;
      out ??= this.copy();
      if (rest.isEmpty()) out.children.delete(element);
      else out.children.set(element, rest);
    }
    if (!out && member === this.member) return this;
    out ??= this.copy();
    out.member = member;
    return out;
  }

  equals(other: FieldSet): boolean {
    if (other === this) return true;
    if (this.member !== other.member || this.children.size !== other.children.size) return false;
    for (const [element, child] of this.children) {
      const theirs = other.children.get(element);
      if (!theirs || !child.equals(theirs)) return false;
    }
    return true;
  }

  /** Every member path, children in element order. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]) => {
      if (node.member) out.push(prefix);
      for (const element of [...node.children.keys()].sort())
        walk(node.children.get(element)!, [...prefix, element]);
    };
    walk(this, []);
    return out;
  }

  /** A node with this one's membership and children, to change before anyone reads it. */
  private copy(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [element, child] of this.children) out.children.set(element, child);
    return out;
  }
}

/** An item that can sit in one {@link LinkedQueue} at a time (the links live on the item). */
export interface Linked<T> {
  prev: T | undefined;
  next: T | undefined;
  /** The queue holding the item (a LinkedQueue), or undefined. */
  queue: object | undefined;
}

/**
 * An intrusive doubly-linked list: push/pop/shift/remove are O(1) and allocate nothing.
 * Used as a FIFO (push + shift) or a LIFO (push + pop).
 */
export class LinkedQueue<T extends Linked<T>> {
  head: T | undefined;
  tail: T | undefined;
  size = 0;

  push(item: T): void {
    if (item.queue) (item.queue as LinkedQueue<T>).remove(item);
    item.queue = this;
    item.prev = this.tail;
    item.next = undefined;
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
    this.size++;
  }

  shift(): T | undefined {
    const item = this.head;
    if (item) this.remove(item);
    return item;
  }

  pop(): T | undefined {
    const item = this.tail;
    if (item) this.remove(item);
    return item;
  }

  /** Removes `item` if it is in this queue. */
  remove(item: T): void {
    if (item.queue !== this) return;
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
    item.prev = item.next = undefined;
    item.queue = undefined;
    this.size--;
  }
}

import CBatonSys

/// What a controlled-read handler tells the ring to do with the record it was given
/// (Agrona's `ControlledMessageHandler.Action`, reduced to the two Baton uses).
@frozen
public enum ControlledReadAction: Sendable {
    /// The record is consumed; hand over the next one.
    case `continue`
    /// The record is not consumed: stop here, and hand the same record over
    /// again on the next read (the consumer is back-pressured downstream).
    case abort
}

extension RingBufferMemory {
    /// Like `read`, but the handler may leave a record (and everything after
    /// it) on the ring by returning `.abort`. The head advances once, past the
    /// records consumed. Consumer thread only.
    @inlinable @inline(__always)
    func controlledRead(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) -> ControlledReadAction
    ) -> Int {
        let mask = capacity &- 1
        let head = Int(baton_load_plain_i64(headPositionAddress))
        var bytesRead = 0
        var messagesRead = 0
        while messagesRead < limit && bytesRead < capacity {
            let record = buffer + ((head &+ bytesRead) & mask)
            let recordLength = Int(baton_load_acquire_i32(record + RecordDescriptor.lengthOffset))
            if recordLength <= 0 { break }
            let typeId = baton_load_plain_i32(record + RecordDescriptor.typeIdOffset)
            if typeId == RecordDescriptor.paddingTypeId {
                bytesRead &+= RecordDescriptor.align(recordLength)
                continue
            }
            let action = handler(typeId, record + RecordDescriptor.headerLength, recordLength &- RecordDescriptor.headerLength)
            if case .abort = action { break }
            bytesRead &+= RecordDescriptor.align(recordLength)
            messagesRead &+= 1
        }
        if bytesRead != 0 { consume(head: head, bytesRead: bytesRead) }
        return messagesRead
    }

    /// Bytes a producer could still claim now (capacity minus `size`). Any thread;
    /// exact for the single producer of an SPSC ring; with several producers, others may claim right after.
    @inlinable
    var freeBytes: Int { capacity &- size }
}

extension OneToOneRingBuffer {
    /// Reads up to `limit` records; the handler returns `.abort` to leave a
    /// record for the next read. Returns the records consumed. Consumer thread only.
    @inlinable @inline(__always)
    public func controlledRead(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) -> ControlledReadAction
    ) -> Int {
        memory.controlledRead(limit: limit, handler)
    }

    /// Bytes free for claims (see `RingBufferMemory.freeBytes`).
    @inlinable public var freeBytes: Int { memory.freeBytes }
}

extension ManyToOneRingBuffer {
    /// Reads up to `limit` records; the handler returns `.abort` to leave a
    /// record for the next read. Returns the records consumed. Consumer thread only.
    @inlinable @inline(__always)
    public func controlledRead(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) -> ControlledReadAction
    ) -> Int {
        memory.controlledRead(limit: limit, handler)
    }

    /// Bytes free for claims at the moment of the read; other producers may take some at once after.
    @inlinable public var freeBytes: Int { memory.freeBytes }
}

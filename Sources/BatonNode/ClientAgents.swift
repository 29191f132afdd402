import BatonAgent
import BatonLog
import BatonNet
import BatonTime
import Logging

/// What a node's client-facing agents are built from: the pipeline's rings
/// and counters, the log (delivery reads it) and the node's clock.
///
/// Threading: set-up only (the node's constructing thread).
public struct ClientAgentContext<Clock: NanoClock> {
    public let configuration: NodeConfiguration
    public let rings: PipelineRings
    public let log: DurableLog
    public let counters: NodeCounters
    public let clock: Clock
    public let logger: Logger
}

/// A node's two client-facing agents: client I/O (writes Publish batches to
/// the ingress ring, sends the acks and refusals it reads from the egress
/// ring) and delivery (serves committed frames to subscribers, advances the
/// execute position). Production: TCP sessions over epoll
/// (`ClientSessionsAgent`, `DeliveryStage`); the simulator: in-memory clients
/// on the same rings.
///
/// Threading: made on set-up, then each agent belongs to its runner's thread.
public struct ClientAgents<ClientIO: Agent, Delivery: Agent> {
    public var clientIO: ClientIO
    public var delivery: Delivery
    /// Where clients connect (reported as the node's `clientAddress`).
    public var address: IPv4SocketAddress

    public init(clientIO: ClientIO, delivery: Delivery, address: IPv4SocketAddress) {
        self.clientIO = clientIO
        self.delivery = delivery
        self.address = address
    }
}

extension NodeEnvironment where ClientIO == ClientSessionsAgent<Clock>, Delivery == DeliveryStage<Clock> {
    /// The machine's client side: a TCP listener on `configuration.listen` with epoll sessions.
    public func makeClientAgents(_ context: ClientAgentContext<Clock>) throws -> sending ClientAgents<ClientIO, Delivery> {
        let rings = context.rings
        let clientIO = try ClientSessionsAgent(configuration: context.configuration, ingress: rings.ingress, egress: rings.egress,
                                               handoff: rings.handoff, counters: context.counters,
                                               commitPosition: context.counters.commitPosition, clock: context.clock,
                                               logger: context.logger)
        let delivery = try DeliveryStage(configuration: context.configuration, handoff: rings.handoff, log: context.log,
                                         commitPosition: context.counters.commitPosition, counters: context.counters,
                                         clock: context.clock, logger: context.logger)
        return ClientAgents(clientIO: clientIO, delivery: delivery, address: clientIO.boundAddress)
    }
}

package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.pubsub.Subscriptions;
import dev.kyoto.examples.redis.resp.Frame;
import java.util.List;

/** PUBLISH, SUBSCRIBE, UNSUBSCRIBE. */
final class PubSubCommands {
    private static final Frame UNSUBSCRIBED_FROM_NONE = Frame.Array.of(Frame.Bulk.of("unsubscribe"), Frame.NULL_BULK, new Frame.Int(0));

    private PubSubCommands() {
    }

    static Frame publish(Session s, List<Frame> args) {
        return Replies.integer(s.pubSub().publish(Args.key(args, 1), Args.bulk(args, 2)));
    }

    /** One {@code ["subscribe", channel, count]} reply per channel. */
    static Frame subscribe(Session s, List<Frame> args) {
        Subscriptions subs = s.subscriptions();
        for (int i = 1; i < args.size(); i++) {
            s.reply(subs.subscribe(Args.key(args, i)));
        }
        return null;
    }

    /** One reply per channel named, or per channel subscribed if none is named. */
    static Frame unsubscribe(Session s, List<Frame> args) {
        Subscriptions subs = s.subscriptions();
        if (args.size() == 1) {
            List<Key> all = subs.channels();
            if (all.isEmpty()) {
                return UNSUBSCRIBED_FROM_NONE;
            }
            for (Key channel : all) {
                s.reply(subs.unsubscribe(channel));
            }
            return null;
        }
        for (int i = 1; i < args.size(); i++) {
            s.reply(subs.unsubscribe(Args.key(args, i)));
        }
        return null;
    }
}

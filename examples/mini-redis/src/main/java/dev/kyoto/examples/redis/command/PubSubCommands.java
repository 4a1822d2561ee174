package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.pubsub.PubSub;
import dev.kyoto.examples.redis.pubsub.Subscriptions;
import dev.kyoto.examples.redis.resp.Frame;
import java.util.ArrayList;
import java.util.List;

/** PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PUBSUB CHANNELS and NUMSUB. */
final class PubSubCommands {
    private static final Frame UNSUBSCRIBED_FROM_NONE = Frame.Array.of(Frame.Bulk.of("unsubscribe"), Frame.NULL_BULK, new Frame.Int(0));

    private PubSubCommands() {
    }

    static Frame publish(Session s, List<Frame> args) {
        return Replies.integer(s.pubSub().publish(Args.key(args, 1), Args.bulk(args, 2)));
    }

    /**
     * {@code PUBSUB CHANNELS} (the channels with subscribers; no pattern but {@code *}),
     * {@code PUBSUB NUMSUB [channel...]} (each channel and its subscriber count), and
     * {@code PUBSUB NUMPAT} (0: there are no pattern subscriptions).
     */
    static Frame pubsub(Session s, List<Frame> args) {
        PubSub pubSub = s.pubSub();
        if (Args.is(args, 1, "channels") && (args.size() == 2 || (args.size() == 3 && Args.is(args, 2, "*")))) {
            List<Frame> names = new ArrayList<>();
            for (Key channel : pubSub.channels()) {
                names.add(new Frame.Bulk(channel.bytes()));
            }
            return new Frame.Array(names);
        }
        if (Args.is(args, 1, "numsub")) {
            List<Frame> counts = new ArrayList<>();
            for (int i = 2; i < args.size(); i++) {
                counts.add(args.get(i));
                counts.add(Replies.integer(pubSub.subscriberCount(Args.key(args, i))));
            }
            return new Frame.Array(counts);
        }
        if (Args.is(args, 1, "numpat") && args.size() == 2) {
            return Replies.integer(0);
        }
        return Replies.unknownSubcommand(args);
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

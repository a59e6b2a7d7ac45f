# Off-platform lexicon: contact and payment outside Taobao, trade fraud and
# review inducement, personal data. Format: lexicons/README.md.
# Seeds: domain.md §2.4 (lingtaoedu.com/378.html: 微信, V, VX, QQ, 扣扣, 手机号,
# 银行卡号, 二维码, 外部链接, 私域, 好评返现, 刷单, 私下转账, 退款返现, 晒单返现),
# §2.5, plus homophones (V信/薇信/威信) and pinyin forms. A bare `v` is left
# out on purpose: V领 (V-neck) is everywhere in clothing shops.

[off_platform]
微信
威信
薇信
徽信
维信
卫信
微心
v信
微x
wx | note=ASCII edges keep words like wxyz quiet
wxid
vx
vx号
wechat
weixin
加v
加vx
加微
加微信
加我微信
+v
+vx
+微
绿泡泡
朋友圈
qq | except=qq邮箱,qq音乐,qq浏览器
qq号
q号
扣扣 | note=doubled: a lone 扣 (扣款) stays quiet
企鹅号
加企鹅
加我qq
支付宝转账
转支付宝
支付宝付款给我
私下转账
私下交易
私下付款
线下交易
线下付款
线下转账
银行卡转账
转账给我
直接转账
扫码付款
扫码支付
扫码转账
二维码
收款码
加我好友
加好友
私聊
站外
私域
外部链接
淘宝外
不走淘宝
不走平台
绕过平台
我的邮箱 | note=an agent's own mailbox moves the talk off the platform
工作邮箱
个人邮箱
我邮箱
给你一个邮箱
给您一个邮箱
发到这个邮箱
发送到这个邮箱
发到我的邮箱
邮件发给我

[trade_fraud]
# Explaining or refusing the practice is not doing it (为了防止刷单…,
# 我们不支持好评返现, 没有好评返现的活动): `scope_not` drops a hit after a
# negation earlier in its clause; asking whether a scammer contacted the
# buyer (是有人联系您刷单吗) is a question. 改价, 改运费 and 补差价 are
# ordinary checkout operations and are not listed.
好评返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
晒单返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
退款返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
买家秀返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
五星返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
好评返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
好平返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止 | note=the homophone dodge 好平返现
好评 ~{0,8} 返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止 | note=split or reordered: 好评后返您5元, 五星好评截图给我返3元
好平 ~{0,8} 返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
五星 ~{0,8} 返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
晒图 ~{0,8} 返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
评价 ~{0,6} 返现 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
好评 ~{0,6} 送 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止,配送,赠送
截图 ~{0,6} 返 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
好评返红包 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
好评送 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
好评有礼 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
返红包 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
刷单 | question=no | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止,小心,不要,为了 | note=为了防止刷单… explains the policy; 是有人联系您刷单吗 asks about a scam
刷好评 | question=no | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止,小心,不要,为了
刷销量 | question=no | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止,小心,不要,为了
刷信誉 | question=no | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止,小心,不要,为了
补单 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
提升销量 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止
虚假交易 | question=no | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止,小心,不要,为了
空包 | scope_not=不会,不能,不支持,不允许,不可以,不提供,没有,禁止,严禁,防止,谨防,警惕,拒绝,打击,举报,为了防止

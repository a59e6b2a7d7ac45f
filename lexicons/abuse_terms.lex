# Abuse terms for ABU001 (insult, expletive, curse, discrimination) and
# ABU002 (threat). Format and matching: lexicons/README.md, "abuse_terms.lex".
#
# Sources: the Chinese list of LDNOOBW V2 (CC0; only its insults and
# expletives, curated: its political and generic entries are left out), the
# insults a Chinese customer-service QA reviewer lists (辱骂/脏话/诅咒/威胁/
# 歧视 in 阿里旺旺 chats), and the usual evasions (沙比, 草泥马, nmsl, 🐴).
#
# aim=any       fires wherever the term stands
# aim=person    needs a person it is aimed at (你/客服/他 …, or the term
#               alone as an address or exclamation), not goods (垃圾东西)
# aim=explicit  needs a named person (你是骗子, 骗子客服), a measure word
#               (真是个骗子) or the bare term as a whole clause (骗子！)
# aim=named     needs a named person or a measure word, never alone
#               (垃圾！ is as often a verdict on goods)
# aim=final     must end its clause (你给我等着！, not 你等着收货)
# aim=object    a verb that needs a person as object (弄死你, not 弄死蟑螂)
# possessive    quiet when a family word is a possessive (帮我妈的订单)

[insult]
# People named as animals, vermin and worse
癞蛤蟆 | aim=person
弱鸡 | aim=person
蠢驴 | aim=person
笨驴 | aim=person
傻狍子 | aim=person
废柴 | aim=person
混球
二愣子 | aim=person
愣头青 | severity=low | aim=explicit
憨货
憨憨 | severity=low | aim=explicit
奴才 | aim=person
狗奴才
瘪三
寄生虫 | aim=explicit | sound=no | except=寄生虫药
蛀虫 | aim=explicit | sound=no
吸血鬼 | aim=explicit | sound=no
黑心商家 | severity=medium
黑心老板 | severity=medium
奸商 | severity=medium | aim=explicit
骗子公司 | severity=medium
疯子 | aim=person
神经 | aim=named | sound=no | except=神经内科,神经外科,神经痛,神经酸,神经衰弱,神经系统,神经元
傻蛋
猪猡
败家子 | aim=explicit
白眼儿狼
贱婢
小人 | aim=explicit | sound=no | except=小人国,小人书
伪君子
衣冠禽兽
人面兽心
狼心狗肺
没良心的 | aim=person
缺德 | aim=explicit
缺心眼
没教养 | aim=explicit
没素质 | aim=explicit
低能
低能儿
秀逗 | aim=person
脑子瓦特
贱皮子
臭流氓
老流氓
下三滥
下流 | aim=explicit
无耻 | aim=explicit
卑鄙 | aim=explicit
恶心 | severity=low | aim=explicit | sound=no
牲口 | aim=person
兔崽子
小兔崽子
王八犊子
孙贼
三孙子
鳖孙
舔狗 | aim=person
怂包
软蛋 | aim=person
孬种
草包 | aim=person
傻狗
野狗 | aim=explicit
疯狗 | aim=explicit
癞皮狗
丧家犬
汉奸 | aim=explicit
垃圾人
社会渣滓
渣滓 | aim=person
渣男 | aim=explicit
泼妇 | aim=explicit
母老虎 | aim=explicit
黄脸婆 | aim=explicit
老巫婆
老妖婆
老不死
老东西 | aim=explicit
老家伙 | severity=low | aim=explicit
死老头
短命鬼
讨债鬼
穷鬼 | aim=explicit
色狼 | aim=explicit
色鬼 | aim=explicit
骚货
荡妇
破鞋 | aim=explicit | sound=no
妓女 | aim=explicit
狐狸精 | aim=explicit
贱女人
烂货
土包子 | aim=person
山炮 | aim=person
土老帽 | aim=person
傻大个 | aim=person
矮冬瓜 | aim=person
哑巴 | aim=explicit
精神病 | aim=explicit | except=精神病院,精神病学
疯婆子
傻婆娘
蠢婆娘
狗脑子
榆木脑袋 | aim=person
呆瓜 | aim=person
笨瓜 | aim=person
二缺
缺根筋 | aim=person
瓜娃子
傻批
瓜批
哈批
鸡巴
傻屌玩意
智商欠费
智商低 | aim=explicit
没智商 | aim=person
智商为零
听不懂中国话
听不懂人话
不配当客服
不配做人
看门狗 | aim=person
傻逼 | abbr=sb
傻屄
傻b
傻比
煞笔
煞比
沙比
傻x | sound=no
傻叉
傻缺
傻屌
贱逼
骚逼
烂逼
笨逼
穷逼 | aim=person
菜逼 | severity=low | aim=person
逼样
屌毛
日批
二逼 | abbr=2b | except=2b铅笔
憨批
憨逼
狗逼
狗比
苕逼
low逼 | sound=no
逗逼 | severity=low | aim=person
装逼 | severity=low | aim=person
你妈逼 | abbr
你妈个逼
妈了个逼 | abbr=mlgb
妈了个巴子
马勒戈壁
麻痹 | aim=person | except=麻痹症,小儿麻痹,神经麻痹,麻痹大意,面部麻痹,手麻痹,脚麻痹
草泥马 | abbr=cnm
操你妈 | abbr=cnm,wcnm
操你妈逼 | abbr=cnmb
操你
草你
我操你
日你
我日你
干你妈逼
放你妈的屁
放你妈的狗屁
欠操
操逼
操你娘
操你大爷
操你祖宗
操你全家
操你奶奶
操死你
日你妈 | abbr=rnm
日你娘
日你先人
日你祖宗
干你娘 | abbr=gnn
干你妈
干死你
肏你妈
你妈的 | possessive | abbr=nmd
去你妈的 | abbr=qnmd
去你妈
去你大爷的
去你大爷
你大爷的 | possessive
你大爷 | aim=final | possessive | except=你大爷爷
你奶奶个腿
你奶奶的 | possessive
你祖宗 | possessive | except=你祖宗十八代都
你妈死了 | abbr=nmsl
妈的智障 | abbr=mdzz
你妈 | aim=final | possessive | sound=no | except=你妈妈
你老母
狗日的
狗娘养的
狗杂种
杂种 | aim=person | except=杂种狗,杂种优势
野种
贱种
狗东西
狗崽子
狗腿子 | aim=person
走狗 | aim=person
死狗 | aim=person
贱狗 | aim=person
狗 | aim=explicit | sound=no | note=你就是条狗; 狗粮 and 狗狗 stay quiet
猪 | aim=explicit | sound=no | note=你是猪吗; 猪肉 stays quiet
蠢猪
笨猪
猪头 | aim=person | except=猪头肉,猪头皮
猪脑子 | aim=person
猪狗不如
畜生
畜牲
狗养的
狗娘养
哈巴狗 | aim=person
马屁精 | severity=low | aim=person
良心被狗吃了
找死 | aim=person
吃屎 | aim=person
犯贱 | aim=person
废人 | aim=person
老不死的
死三八
三八 | aim=explicit | sound=no | except=三八节,三八妇女节
坏蛋 | severity=low | aim=explicit | sound=no
糊涂蛋 | severity=low | aim=explicit
穷光蛋 | aim=explicit
狗屎 | aim=person
狗屁不通 | aim=person
王八旦
混账王八蛋
禽兽
禽兽不如
王八蛋 | abbr=wbd
王八羔子
王八 | aim=explicit | sound=no | except=王八汤
龟孙子
龟孙
龟儿子
孙子 | aim=explicit | sound=no | except=孙子兵法
混蛋
混账
浑蛋
滚蛋
滚犊子
滚开
滚粗
滚出去
滚 | aim=person | sound=no | except=滚筒,滚动,打滚,滚轮,滚珠,滚刷,滚烫,滚边,滚梯,翻滚,滚雪球,滚针 | note=滚 is an order aimed at the other party
给老子滚
贱人
贱银
贱货
贱骨头 | aim=person
贱 | aim=explicit | sound=no | except=贱卖,贱价
婊子 | abbr=bz
婊砸
臭婊子
绿茶婊
人渣
败类
垃圾 | aim=named | sound=no | except=垃圾袋,垃圾桶,垃圾分类,垃圾短信,垃圾邮件,垃圾信息,垃圾处理,垃圾篓,垃圾箱,垃圾车,垃圾站,垃圾食品,垃圾清运
辣鸡 | aim=person
废物 | aim=person | except=废物利用,废物回收,废物处理
窝囊废
饭桶 | aim=person
白痴
弱智 | abbr
智障 | abbr=zz | except=智障儿童,智障人士
脑残
脑瘫 | except=脑瘫儿童,脑瘫患者
二百五 | aim=person | except=二百五十
傻子 | aim=person
傻瓜 | aim=explicit | except=傻瓜相机,傻瓜式
笨蛋 | aim=person
蠢蛋
蠢货
蠢材
呆子 | aim=person
二货
傻帽
傻冒
土鳖 | aim=person
丑八怪
死胖子
死变态
变态 | aim=explicit | sound=no | except=变态辣,变态反应
神经病 | aim=person | abbr=sjb | except=神经病学,神经病医院
有病 | aim=explicit | sound=no | except=有病毒,有病虫
脑子有病
脑子进水
脑子被驴踢了
脑子被门夹了
没长脑子
没脑子 | aim=person
眼瞎 | aim=person
瞎了眼
瞎了你的狗眼
狗眼
瞎子 | aim=explicit
聋子 | aim=explicit
不要脸
臭不要脸
要点脸
死不要脸
丢人现眼 | aim=person
闭嘴 | aim=person
骗子 | severity=medium | aim=explicit | sound=no | note=an accusation aimed at the other party (你这骗子)
流氓 | aim=explicit | except=流氓兔
无赖 | aim=explicit
白眼狼
屌丝 | severity=low | aim=explicit
你算什么东西
你算老几
什么东西 | aim=explicit | sound=no | note=你是什么东西; 这是什么东西 stays quiet
不是人 | aim=person
狗娘
老娘们 | aim=explicit
卧龙凤雏 | severity=low | aim=person
bitch | abbr=biatch
asshole
motherfucker
dumbass
idiot | aim=person
stupid | aim=person

[expletive]
靠 | aim=alone | sound=no
靠北
我靠你妈
他娘的 | possessive
你娘的 | possessive
娘的 | possessive | sound=no | except=姑娘的,娘娘的
奶奶个熊
去他妈的
操他妈
操他
他妈个逼
妈的个逼
滚你妈
他喵的 | severity=low
我去年买了个表
卧了个槽
你麻痹
我日你仙人板板
仙人板板
艹 | aim=alone
卧槽 | abbr=wc
我操 | abbr=wc
我艹
我草 | except=我草莓
握草
卧草
我槽
我靠 | severity=low
我日
我去你的
妈的 | possessive | aim=any | except=妈妈的
他妈的 | possessive | abbr=tmd
他妈 | possessive | sound=no | except=他妈妈
特么 | sound=no
他奶奶的 | possessive
奶奶的 | possessive | abbr=nnd | except=奶奶的奶
你妹的 | possessive
你妹 | aim=final | possessive | sound=no | except=你妹妹,你妹子
尼玛 | sound=no
泥马 | sound=no
日了狗
操蛋
扯淡 | severity=low | aim=explicit
狗屁 | severity=low | aim=person
放屁 | aim=explicit | severity=low
屁话 | severity=low | aim=person
妈蛋
我擦 | severity=low | sound=no
靠你妈
丫的 | aim=any
丫挺的
fuck | abbr=fk,fck,wtf
fucking
shit
damn | severity=low

[curse]
出门被雷劈
被雷劈 | aim=person
死了活该
赶紧死
死一边去
滚一边去
死远点
滚远点
绝后 | aim=explicit
死无葬身之地
不得善终
遭天谴
下十八层地狱
见阎王
早日归西
猝死 | aim=explicit
去死 | aim=final | except=去死皮,去死角,去死细胞,去死茧,去死肉
去死吧
死全家
全家死光
全家死绝
死妈
你妈死
不得好死
断子绝孙
生孩子没屁眼
生儿子没屁眼
出门被车撞死
被车撞死
早点死 | aim=person
早死 | aim=explicit
暴毙 | aim=person
全家暴毙
全家火葬场
去屎
死了算了 | aim=explicit
下地狱
天打雷劈
遭报应 | aim=explicit
咒你 | aim=any

[discrimination]
黑鬼
尼哥
黑奴
娘炮
娘娘腔 | aim=person
基佬
死基佬
残废 | aim=explicit
乡巴佬
农民工素质 | severity=medium
外地狗
捞仔
支那 | except=支那度
小日本 | severity=medium
阿三 | aim=explicit
瘸子 | aim=explicit
矮子 | aim=explicit
肥猪 | aim=person
死肥婆
蛮子 | aim=explicit
绿帽 | aim=explicit

[threat]
捅 | aim=object | sound=no
砍 | aim=object | sound=no
砸 | aim=object | sound=no
打爆 | aim=object
打残 | aim=object
弄残 | aim=object
打断 | aim=object
教训 | aim=object | sound=no
剁 | aim=object | sound=no
宰 | aim=object | sound=no
灭了 | aim=object
整死 | aim=object
搞死 | aim=object
玩死 | aim=object
做掉 | aim=object
干掉 | aim=object
埋了 | aim=object
抽你
扇你
撕烂你的嘴
打烂你的嘴
扒了你的皮
吃不了兜着走
有你好看
要你好看
混不下去
别想混了
别一个人出门
晚上小心
走夜路小心
刨你祖坟
挖你祖坟
跟你没完
你会后悔的
不会放过你
饶不了你
弄你全家
找人打你
叫人打你
等着我上门
找到你家
摸到你家
查到你家
弄不死你
收尸 | except=收尸人
刨 | aim=object | sound=no
信息我都有了
地址我都有了
我知道你家里人
弄死 | aim=object
打死 | aim=object
砍死 | aim=object
捅死 | aim=object
掐死 | aim=object
揍死 | aim=object
杀了 | aim=object | sound=no
杀 | aim=object | sound=no | except=杀价,杀菌,杀毒,秒杀,杀虫
宰了 | aim=object
砍了 | aim=object
废了 | aim=object | sound=no
揍 | aim=object | sound=no
收拾 | aim=object | sound=no
弄 | aim=object | sound=no | note=叫人弄你
炸了 | aim=object | sound=no
打断你的腿
打断你的狗腿
砸了你
杀你全家
让你好看 | except=让你好看十岁,让你好看又
等着瞧 | aim=final
走着瞧 | aim=final
你给我等着 | aim=final
给我等着 | aim=final
你等着 | aim=final
有你好果子吃
要你命
要你的命
小心你的狗命
你的命
你死定了
你就完了
活不过
别想好过
知道你住哪
知道你家在哪
知道你住在哪
上门找你
等我找到你
堵你
人肉你
挂到网上 | note=doxxing
付出代价
小心点 | aim=explicit | note=你给我小心点; 小心点拆 stays quiet
出门小心
路上小心点
小心你家人
放火烧
烧了你
炸了你

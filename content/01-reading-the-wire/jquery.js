$.ajax({ url: 'time', dataType: 'json' }).done(function (data) {
  $('body').text(JSON.stringify(data));
  console.log(data);
});
